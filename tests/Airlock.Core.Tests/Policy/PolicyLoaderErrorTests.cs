using Airlock.Core.Policy;
using static Airlock.Core.Tests.Policy.PolicyErrorsAssert;

namespace Airlock.Core.Tests.Policy;

public sealed class PolicyLoaderErrorTests
{
    [Fact]
    public void Load_NamesTheFileLineColumnAndFieldOfABadValue() =>
        Assert.Equal(
            "policy.yaml:3:11: limits.memory: '5x' is not a size; use a positive number with an optional unit, like 512m or 2g",
            SingleError("isolation: { minimum: gvisor }\nlimits:\n  memory: 5x\n", "policy.yaml"));

    [Fact]
    public void Load_PointsIntoFlowMappingsAndJson()
    {
        Assert.Equal("1:28: limits.memory: '5x' is not a size; use a positive number with an optional unit, like 512m or 2g", SingleError("limits: { cpus: 1, memory: 5x }"));
        Assert.StartsWith("3:13: limits.pids: ", SingleError("{\n  \"limits\": {\n    \"pids\": \"many\"\n  }\n}"), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReportsEveryErrorInDocumentOrder_OnePerLine()
    {
        var errors = Errors("""
            tools: { deny: [ "" ] }
            limits:
              pids: 0
              cpus: lots
            isolation: { minimum: kvm }
            """);

        Assert.Equal(4, errors.Length);
        Assert.StartsWith("1:18: tools.deny[0]: empty entry", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("3:9: limits.pids: must be at least 16", errors[1], StringComparison.Ordinal);
        Assert.StartsWith("4:9: limits.cpus: 'lots' is not a number of CPUs", errors[2], StringComparison.Ordinal);
        Assert.StartsWith("5:23: isolation.minimum: 'kvm'", errors[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RejectsAnUnknownKey_NamingItAndTheAllowedOnes()
    {
        Assert.Equal(
            "2:3: limits: unknown key 'memroy'; allowed: cpus, memory, pids, disk, timeout, egress_rate, exec_rate",
            SingleError("limits:\n  memroy: 512m\n"));
        Assert.Equal(
            "1:1: unknown key 'netwrok'; allowed: name, isolation, limits, network, secrets, files, tools, anomalies, approval_timeout",
            SingleError("netwrok: { allow: [] }"));
        Assert.Equal(
            "1:30: files[0]: unknown key 'mode'; allowed: path, access",
            SingleError("files: [ { path: /workspace, mode: ro, access: read-only } ]"));
    }

    [Fact]
    public void Load_RejectsADuplicateKey_SayingWhereTheFirstOneIs()
    {
        Assert.Equal("3:3: limits.pids: duplicate key 'pids' (first at 2:3)", SingleError("limits:\n  pids: 256\n  pids: 512\n"));
        Assert.Equal("1:26: limits.pids: duplicate key 'pids' (first at 1:13)", SingleError("{\"limits\": {\"pids\": 256, \"pids\": 512}}"));
        Assert.StartsWith("2:1: secrets: duplicate key 'secrets'", SingleError("secrets: {}\nsecrets: {}\n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kvm")]
    [InlineData("auto")]
    [InlineData("Gvisor")]
    [InlineData("")]
    public void Load_RejectsAnUnknownIsolationTier(string tier) =>
        Assert.Equal(
            $"1:23: isolation.minimum: '{tier}' is not an isolation tier; use container, gvisor or microvm",
            SingleError($"isolation: {{ minimum: \"{tier}\" }}"));

    [Theory]
    [InlineData("cpus: 0", "limits.cpus", "'0' is not a number of CPUs")]
    [InlineData("cpus: -1", "limits.cpus", "'-1' is not a number of CPUs")]
    [InlineData("cpus: .nan", "limits.cpus", "is not a number of CPUs")]
    [InlineData("memory: 0", "limits.memory", "'0' is not a size")]
    [InlineData("memory: -512m", "limits.memory", "'-512m' is not a size")]
    [InlineData("memory: 1k", "limits.memory", "must be at least 32m (got 1k)")]
    [InlineData("pids: 0", "limits.pids", "must be at least 16")]
    [InlineData("pids: -3", "limits.pids", "must be at least 16")]
    [InlineData("pids: 2.5", "limits.pids", "'2.5' is not a whole number of processes")]
    [InlineData("pids: 99999999", "limits.pids", "must be at most 4194304")]
    [InlineData("disk: 0g", "limits.disk", "'0g' is not a size")]
    [InlineData("timeout: 0s", "limits.timeout", "'0s' is not a duration")]
    [InlineData("timeout: -10m", "limits.timeout", "'-10m' is not a duration")]
    [InlineData("egress_rate: 0mbit", "limits.egress_rate", "'0mbit' is not a rate")]
    [InlineData("egress_rate: 10mb", "limits.egress_rate", "'10mb' is not a rate")]
    public void Load_RejectsZeroNegativeAndMalformedLimits(string line, string path, string message)
    {
        var error = SingleError($"limits:\n  {line}\n");
        Assert.StartsWith($"2:{line.IndexOf(':', StringComparison.Ordinal) + 5}: {path}: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RejectsAHugeSizeWithoutOverflowing() =>
        Assert.Contains("limits.memory", SingleError("limits: { memory: 99999999999999999999999999999t }"), StringComparison.Ordinal);

    [Fact]
    public void Load_RejectsTheWrongShapeForASection()
    {
        Assert.Equal("1:9: limits: expected a mapping with cpus, memory, pids, disk, timeout, egress_rate, exec_rate, not a value", SingleError("limits: 512m"));
        Assert.StartsWith("1:19: network.allow: expected a list", SingleError("network: { allow: pypi.org }"), StringComparison.Ordinal);
        Assert.Equal("1:17: limits.cpus: expected a single value, not a list", SingleError("limits: { cpus: [1] }"));
        Assert.StartsWith("1:1: a policy is a mapping of sections", SingleError("- isolation: gvisor"), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RejectsABadName() =>
        Assert.StartsWith("1:7: name: '../etc' is not a policy name", SingleError("name: ../etc"), StringComparison.Ordinal);

    [Fact]
    public void Load_RejectsABadApprovalTimeout() =>
        Assert.StartsWith("1:19: approval_timeout: 'soon' is not a duration", SingleError("approval_timeout: soon"), StringComparison.Ordinal);
}
