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

    /// <summary>This machine's shape: KVM unusable, so the microVM runs under TCG and only when asked for.</summary>
    private static readonly ProbeOnlyBackend[] TcgHost =
    [
        new("container", true),
        new("gvisor", true),
        new("microvm", true, "QEMU microvm under TCG emulation", notForAuto: "no usable /dev/kvm, and TCG emulation is used only when asked for"),
    ];

    [Fact]
    public void Auto_OnAHostWithoutKvm_PicksGvisor_AndNamesWhyNotMicrovm()
    {
        var (backend, reason) = TierSelector.Select("auto", TcgHost);
        Assert.Equal("gvisor", backend.Tier);
        Assert.Contains("microvm: no usable /dev/kvm", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyMinimumMicrovm_OnAHostWithoutKvm_RefusesAndNamesDevKvm_RatherThanDowngrading()
    {
        var error = Assert.Throws<AirlockException>(() => TierSelector.Select("auto", TcgHost, minimum: "microvm"));
        Assert.Equal(AirlockErrorKind.Unavailable, error.Kind);
        Assert.Contains("at least 'microvm'", error.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/kvm", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("gvisor: ", error.Message.Replace("gvisor: below", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyMinimumMicrovm_WithTheMicrovmAskedForByName_UsesTcg()
    {
        var (backend, reason) = TierSelector.Select("microvm", TcgHost, minimum: "microvm");
        Assert.Equal("microvm", backend.Tier);
        Assert.Contains("policy minimum microvm", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyMinimumMicrovm_WhenConfigurationAllowsTcgForAuto_GetsTheMicrovm()
    {
        ProbeOnlyBackend[] tcgForAuto = [new("container", true), new("gvisor", true), new("microvm", true, "QEMU microvm under TCG emulation")];
        Assert.Equal("microvm", TierSelector.Select("auto", tcgForAuto, minimum: "microvm").Backend.Tier);
    }

    [Theory]
    [InlineData("container", "gvisor")]
    [InlineData("container", "microvm")]
    [InlineData("gvisor", "microvm")]
    public void Explicit_TierWeakerThanThePolicyMinimum_IsRefused(string asked, string minimum)
    {
        var error = Assert.Throws<AirlockException>(() => TierSelector.Select(asked, TcgHost, minimum: minimum));
        Assert.Equal(AirlockErrorKind.InvalidArgument, error.Kind);
        Assert.Contains($"weaker than the policy's minimum '{minimum}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyMinimumGvisor_SkipsTheContainerEvenWhenTheOrderPutsItFirst()
    {
        var (backend, reason) = TierSelector.Select("auto", TcgHost, minimum: "gvisor", autoOrder: ["container", "gvisor"]);
        Assert.Equal("gvisor", backend.Tier);
        Assert.Contains("container: below the policy's minimum gvisor", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfiguredOrder_IsWhatAutoTries()
    {
        Assert.Equal("container", TierSelector.Select("auto", TcgHost, autoOrder: TierSelector.ParseOrder("container,gvisor")).Backend.Tier);
    }

    [Theory]
    [InlineData("")]
    [InlineData("gvisor,kvm")]
    [InlineData("gvisor,gvisor")]
    public void ConfiguredOrder_Malformed_IsRefusedWithTheTierNames(string order)
    {
        var error = Assert.Throws<AirlockException>(() => TierSelector.ParseOrder(order));
        Assert.Contains("container, gvisor, microvm", error.Message, StringComparison.Ordinal);
    }

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
