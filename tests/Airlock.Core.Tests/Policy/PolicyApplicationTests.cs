using Airlock.Core.Policy;

namespace Airlock.Core.Tests.Policy;

public sealed class PolicyApplicationTests
{
    [Fact]
    public void NoPolicy_LeavesTheSpecAlone()
    {
        var spec = new SandboxSpec { Limits = new ResourceLimits { MemoryBytes = 1L << 30 } };
        var (applied, minimum, files, _) = PolicyApplication.Apply(spec, null);
        Assert.Same(spec, applied);
        Assert.Null(minimum);
        Assert.Empty(files);
    }

    [Fact]
    public void Limits_AreDefaultsWhereTheRequestGivesNone_AndTheMinimumIsReturned()
    {
        var (applied, minimum, _, _) = PolicyApplication.Apply(new SandboxSpec(), "isolation: { minimum: gvisor }\nlimits: { memory: 128m, pids: 32, disk: 200m, cpus: 0.5, timeout: 10m }\n");
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
        var (applied, _, _, _) = PolicyApplication.Apply(new SandboxSpec { Limits = new ResourceLimits { MemoryBytes = 64L << 20 } }, policy);
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

    [Fact]
    public void APolicyWithoutEgressSections_KeepsTheLoopbackOnlySandbox()
    {
        var (_, _, _, parsed) = PolicyApplication.Apply(new SandboxSpec(), "limits: { memory: 128m }");
        Assert.False(PolicyApplication.NeedsEgress(parsed!));
    }

    [Fact]
    public void ToolsAndApprovalTimeout_AreAccepted_TheGovernanceStageEnforcesThem()
    {
        var (spec, _, _, _) = PolicyApplication.Apply(new SandboxSpec(), "tools: { deny: [ \"rm -rf /*\" ], approval: [ \"git push *\" ] }\napproval_timeout: 2s\n");
        Assert.NotNull(spec);
    }

    [Fact]
    public void Files_AreEnforced_AndReturnedInTheOrderWrittenForTheBackend()
    {
        var (_, _, files, _) = PolicyApplication.Apply(new SandboxSpec(), "files: [ { path: /data, access: read-only }, { path: /data/out, access: read-write }, { path: /secret, access: hidden } ]");
        Assert.Equal(
            [
                new Airlock.Policy.FileRule { Path = "/data", Access = Airlock.Policy.PathAccess.ReadOnly },
                new Airlock.Policy.FileRule { Path = "/data/out", Access = Airlock.Policy.PathAccess.ReadWrite },
                new Airlock.Policy.FileRule { Path = "/secret", Access = Airlock.Policy.PathAccess.Hidden },
            ],
            files);
    }

    [Fact]
    public void AMalformedPolicy_NamesItsLineAndField()
    {
        var error = Assert.Throws<AirlockException>(() => PolicyApplication.Apply(new SandboxSpec(), "isolation:\n  minimum: kvm\n"));
        Assert.Contains("policy:2:", error.Message, StringComparison.Ordinal);
        Assert.Contains("isolation.minimum", error.Message, StringComparison.Ordinal);
    }
}
