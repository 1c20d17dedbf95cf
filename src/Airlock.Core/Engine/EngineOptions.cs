namespace Airlock.Core.Engine;

/// <summary>Defaults and wiring of one engine (embedded in the CLI or hosted by the daemon).</summary>
public sealed record EngineOptions
{
    public required AirlockPaths Paths { get; init; }

    /// <summary>The guest agent binary; see <see cref="AgentLocator"/>.</summary>
    public string? AgentPath { get; init; }

    public double DefaultCpus { get; init; } = 1;

    public long DefaultMemoryBytes { get; init; } = 512L << 20;

    public int DefaultPids { get; init; } = 256;

    public long DefaultDiskBytes { get; init; } = 1L << 30;

    /// <summary>TTL of a sandbox created without one.</summary>
    public TimeSpan DefaultTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The order <c>--isolation auto</c> tries tiers in; strongest first by default. <c>AIRLOCK_TIER_ORDER</c>
    /// (e.g. <c>gvisor,container</c>) sets it for the CLI and the daemon.
    /// </summary>
    public IReadOnlyList<string> AutoOrder { get; init; } = ConfiguredAutoOrder();

    /// <summary><c>AIRLOCK_TIER_ORDER</c> when set, else strongest first.</summary>
    public static IReadOnlyList<string> ConfiguredAutoOrder() => Environment.GetEnvironmentVariable("AIRLOCK_TIER_ORDER") is { Length: > 0 } order
        ? TierSelector.ParseOrder(order)
        : TierSelector.DefaultAutoOrder;

    /// <summary>
    /// The command that runs one sandbox's egress gateway (the hidden <c>airlock gateway</c> verb), to which
    /// <c>--config FILE</c> is appended. Null: sandboxes whose policy needs egress are refused.
    /// </summary>
    public IReadOnlyList<string>? GatewayCommand { get; init; }

    /// <summary>
    /// Test-only: where the gateways of this engine's sandboxes resolve names and which extra roots they trust
    /// upstream (the red-team battery's own listeners). Null: <c>AIRLOCK_TEST_EGRESS_*</c> of this process's
    /// environment, read at each create (unset in production). Never widens what a policy allows.
    /// </summary>
    public Network.EgressTestWiring? EgressTestWiring { get; init; }

    /// <summary>Whether this engine destroys expired sandboxes on a timer (the daemon does; a one-shot CLI reaps on start).</summary>
    public bool RunReaper { get; init; }
}
