using Airlock.Core.Policy;

namespace Airlock.Core.Tests.Policy;

public sealed class PolicyApplicationTests
{
    [Fact]
    public void NoPolicy_LeavesTheSpecAlone()
    {
        var spec = new SandboxSpec { Limits = new ResourceLimits { MemoryBytes = 1L << 30 } };
        var (applied, minimum) = PolicyApplication.Apply(spec, null);
        Assert.Same(spec, applied);
        Assert.Null(minimum);
    }

    [Fact]
    public void Limits_AreDefaultsWhereTheRequestGivesNone_AndTheMinimumIsReturned()
    {
        var (applied, minimum) = PolicyApplication.Apply(new SandboxSpec(), "isolation: { minimum: gvisor }\nlimits: { memory: 128m, pids: 32, disk: 200m, cpus: 0.5, timeout: 10m }\n");
        Assert.Equal("gvisor", minimum);
        Assert.Equal(128L << 20, applied.Limits.MemoryBytes);
        Assert.Equal(32, applied.Limits.Pids);
        Assert.Equal(200L << 20, applied.Limits.DiskBytes);
        Assert.Equal(0.5, applied.Limits.Cpus);
        Assert.Equal(TimeSpan.FromMinutes(10), applied.Ttl);
    }

    [Fact]
    public void Limits_AreCeilings_ARequestBelowKeepsItsOwn_OneAboveIsRefused()
    {
        const string policy = """{"limits": {"memory": "256m"}}""";
        var (applied, _) = PolicyApplication.Apply(new SandboxSpec { Limits = new ResourceLimits { MemoryBytes = 64L << 20 } }, policy);
        Assert.Equal(64L << 20, applied.Limits.MemoryBytes);

        var error = Assert.Throws<AirlockException>(() => PolicyApplication.Apply(new SandboxSpec { Limits = new ResourceLimits { MemoryBytes = 1L << 30 } }, policy));
        Assert.Equal(AirlockErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("memory 1g exceeds the policy's limit of 256m", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MicrovmMinimum_IsSpelledAsTheTier()
    {
        Assert.Equal("microvm", PolicyApplication.Apply(new SandboxSpec(), "isolation: { minimum: microvm }").IsolationMinimum);
    }

    [Theory]
    [InlineData("network: { allow: [ \"pypi.org\" ] }", "network.allow")]
    [InlineData("secrets: { KEY: { from: \"env:KEY\", hosts: [ \"api.example.com\" ] } }", "secrets")]
    [InlineData("files: [ { path: /data, access: read-only } ]", "files")]
    [InlineData("anomalies: [ { when: \"egress_denied > 20 in 1m\", then: pause } ]", "anomalies")]
    [InlineData("limits: { egress_rate: 10mbit }", "limits.egress_rate")]
    public void SectionsNotYetEnforced_AreRefusedByName_NeverSilentlyIgnored(string policy, string section)
    {
        var error = Assert.Throws<AirlockException>(() => PolicyApplication.Apply(new SandboxSpec(), policy));
        Assert.Equal(AirlockErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(section, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolsAndApprovalTimeout_AreAccepted_TheGovernanceStageEnforcesThem()
    {
        var (spec, _) = PolicyApplication.Apply(new SandboxSpec(), "tools: { deny: [ \"rm -rf /*\" ], approval: [ \"git push *\" ] }\napproval_timeout: 2s\n");
        Assert.NotNull(spec);
    }

    [Fact]
    public void AMalformedPolicy_NamesItsLineAndField()
    {
        var error = Assert.Throws<AirlockException>(() => PolicyApplication.Apply(new SandboxSpec(), "isolation:\n  minimum: kvm\n"));
        Assert.Contains("policy:2:", error.Message, StringComparison.Ordinal);
        Assert.Contains("isolation.minimum", error.Message, StringComparison.Ordinal);
    }
}
