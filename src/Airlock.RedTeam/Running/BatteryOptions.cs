using Airlock.Core;
using Airlock.Core.Engine;
using Airlock.Core.Network;

namespace Airlock.RedTeam.Running;

/// <summary>How the battery reaches an engine. The CLI passes its composition root, so the library needs no backend.</summary>
internal sealed record BatteryOptions
{
    /// <summary>
    /// Starts (and reconciles) an engine over a data directory: the embedded engine the battery attacks. Its gateways
    /// take the given test wiring (the battery's internet; null when it has none), never the process environment's.
    /// </summary>
    public required Func<AirlockPaths, EgressTestWiring?, CancellationToken, Task<SandboxEngine>> StartEngine { get; init; }

    /// <summary>Start the battery's internet (a network namespace with listeners) for the network cases.</summary>
    public bool Internet { get; init; }

    /// <summary>Where built images live; read only (the battery's own state goes to a temporary data directory).</summary>
    public required string ImagesDirectory { get; init; }

    /// <summary>The host side of <c>airlock cp ID:/path DIR</c>: extracts a sandbox's tar into a host directory.</summary>
    public Func<Stream, string, CancellationToken, Task>? ExtractTar { get; init; }

    /// <summary>Run the sandbox cases against this daemon instead of the embedded engine (<c>--host</c>).</summary>
    public Func<Client.AirlockClient>? ConnectRemote { get; init; }

    /// <summary>Bound of one case, set-up and clean-up included.</summary>
    public TimeSpan CaseTimeout { get; init; } = TimeSpan.FromMinutes(3);
}
