using Airlock.Backends.Runc;
using Airlock.Core;
using Airlock.Core.Engine;
using Airlock.Core.Images;

namespace Airlock.Cli;

/// <summary>Composition root of the engine: wires backends, image store and options. Used by the embedded CLI and by <c>serve</c>.</summary>
internal static class EngineFactory
{
    /// <summary>Creates and starts (reconciles) an engine over <paramref name="paths"/>.</summary>
    public static async Task<SandboxEngine> StartAsync(AirlockPaths paths, bool runReaper, CancellationToken cancellationToken = default)
    {
        var engine = new SandboxEngine(
            new EngineOptions { Paths = paths, RunReaper = runReaper },
            [new RuncBackend(paths)],
            new MmdebstrapImageStore(paths));
        try
        {
            await engine.StartAsync(cancellationToken);
            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }
}
