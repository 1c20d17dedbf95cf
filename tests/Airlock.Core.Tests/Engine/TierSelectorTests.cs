using Airlock.Core.Backends;
using Airlock.Core.Engine;

namespace Airlock.Core.Tests.Engine;

public sealed class TierSelectorTests
{
    [Fact]
    public void Auto_PicksTheStrongestAvailableTier_AndSaysWhyOthersWereSkipped()
    {
        var backends = new[] { new ProbeOnlyBackend("container", true), new ProbeOnlyBackend("gvisor", false, "runsc is not installed") };
        var (backend, reason) = TierSelector.Select("auto", backends);
        Assert.Equal("container", backend.Tier);
        Assert.Contains("gvisor: runsc is not installed", reason, StringComparison.Ordinal);
        Assert.Contains("microvm: not built in", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_PrefersGvisorOverContainer_WhenBothRun()
    {
        var backends = new[] { new ProbeOnlyBackend("container", true), new ProbeOnlyBackend("gvisor", true) };
        Assert.Equal("gvisor", TierSelector.Select("auto", backends).Backend.Tier);
    }

    [Fact]
    public void Auto_PassesOverATierThatRunsButIsNotForAuto_WhichCanStillBeAskedFor()
    {
        var backends = new[] { new ProbeOnlyBackend("container", true), new ProbeOnlyBackend("gvisor", true, notForAuto: "memory kills end the sandbox") };
        var (backend, reason) = TierSelector.Select("auto", backends);
        Assert.Equal("container", backend.Tier);
        Assert.Contains("gvisor: memory kills end the sandbox", reason, StringComparison.Ordinal);
        Assert.Equal("gvisor", TierSelector.Select("gvisor", backends).Backend.Tier);
    }

    [Fact]
    public void Explicit_UnavailableTier_FailsWithTheProbeReasonRatherThanDowngrading()
    {
        var backends = new[] { new ProbeOnlyBackend("container", true), new ProbeOnlyBackend("gvisor", false, "runsc is not installed", "apt-get install runsc") };
        var error = Assert.Throws<AirlockException>(() => TierSelector.Select("gvisor", backends));
        Assert.Equal(AirlockErrorKind.Unavailable, error.Kind);
        Assert.Contains("runsc is not installed", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install runsc", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_TierNotBuiltIn_Fails() =>
        Assert.Throws<AirlockException>(() => TierSelector.Select("microvm", [new ProbeOnlyBackend("container", true)]));

    /// <summary>Only Probe() is used by tier selection; the rest is never called.</summary>
    private sealed class ProbeOnlyBackend(string tier, bool available, string reason = "ok", string? fix = null, string? notForAuto = null) : ISandboxBackend
    {
        public string Tier => tier;

        public TierProbe Probe() => new(tier, available, reason, fix, notForAuto);

        public Task CreateAsync(BackendCreateRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<Stream> ConnectAgentAsync(string sandboxId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<BackendState> GetStateAsync(string sandboxId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task PauseAsync(string sandboxId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task ResumeAsync(string sandboxId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<LimitCounters> ReadLimitCountersAsync(string sandboxId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task DestroyAsync(string sandboxId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> ListHostSandboxesAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
