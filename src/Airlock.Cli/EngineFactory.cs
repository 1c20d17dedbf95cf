using Airlock.Backends.Gvisor;
using Airlock.Backends.MicroVm;
using Airlock.Backends.Runc;
using Airlock.Core;
using Airlock.Core.Backends;
using Airlock.Core.Engine;
using Airlock.Core.Images;
using Airlock.Audit;
using Airlock.Core.Approvals;
using Airlock.Core.Governance;

namespace Airlock.Cli;

/// <summary>Composition root of the engine: wires backends, image store and options. Used by the embedded CLI and by <c>serve</c>.</summary>
internal static class EngineFactory
{
    /// <summary>Every isolation tier this build has; the engine and <c>doctor</c> both use this list.</summary>
    public static IReadOnlyList<ISandboxBackend> Backends(AirlockPaths paths) => [new RuncBackend(paths), new GvisorBackend(paths), new MicroVmBackend(paths)];

    /// <summary>The policy, approval and audit stage in front of <paramref name="engine"/>: what every caller goes through.</summary>
    public static GovernedSandboxOperations Govern(SandboxEngine engine, IAuditLog? audit) =>
        new(engine, new ApprovalBroker(engine.Options.Paths.Database, audit), audit);

    /// <summary>
    /// This very program's hidden <c>gateway</c> verb: the apphost itself, or <c>dotnet airlock.dll</c> when run
    /// through the muxer (as the tests and <c>./airlock</c> do).
    /// </summary>
    public static IReadOnlyList<string> GatewayCommand()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program this is (no process path)");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, typeof(EngineFactory).Assembly.Location, "gateway"]
            : [process, "gateway"];
    }

    /// <summary>Creates and starts (reconciles) an engine over <paramref name="paths"/>.</summary>
    public static Task<SandboxEngine> StartAsync(AirlockPaths paths, bool runReaper, CancellationToken cancellationToken = default) =>
        StartAsync(paths, runReaper, egressTestWiring: null, cancellationToken);

    /// <summary>Same, with the gateways' test wiring given explicitly (the red-team battery's own listeners).</summary>
    public static async Task<SandboxEngine> StartAsync(AirlockPaths paths, bool runReaper, Core.Network.EgressTestWiring? egressTestWiring, CancellationToken cancellationToken = default)
    {
        var engine = new SandboxEngine(
            new EngineOptions { Paths = paths, RunReaper = runReaper, GatewayCommand = GatewayCommand(), EgressTestWiring = egressTestWiring },
            Backends(paths),
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
