using Airlock.Core;
using Airlock.Core.Engine;

namespace Airlock.Cli;

/// <summary>Composition root of the engine: wires backends, image store and options. Used by the embedded CLI and by <c>serve</c>.</summary>
internal static class EngineFactory
{
    /// <summary>Creates and starts (reconciles) an engine over <paramref name="paths"/>.</summary>
    public static Task<SandboxEngine> StartAsync(AirlockPaths paths, bool runReaper, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
