namespace Airlock;

/// <summary>What a caller asks for when creating a sandbox. Every field has a safe default.</summary>
public sealed record SandboxSpec
{
    /// <summary>Image name; <c>python</c> is built on first use.</summary>
    public string Image { get; init; } = "python";

    /// <summary><c>auto</c>, <c>container</c>, <c>gvisor</c> or <c>microvm</c>.</summary>
    public string Isolation { get; init; } = "auto";

    public ResourceLimits Limits { get; init; } = new();

    /// <summary>Whole-sandbox time to live; the sandbox is destroyed when it passes. Null means the engine's default.</summary>
    public TimeSpan? Ttl { get; init; }

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// A policy document (YAML or JSON text, the schema of DESIGN.md), as <c>--policy FILE</c> reads it: its
    /// isolation minimum is a floor creation never goes below, and its limits are defaults and ceilings.
    /// Or the name of a stored policy, <c>NAME</c> (latest version) or <c>NAME@VERSION</c>.
    /// </summary>
    public string? Policy { get; init; }
}
