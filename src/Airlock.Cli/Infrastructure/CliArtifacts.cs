using System.CommandLine;
using Airlock.Artifacts;
using Airlock.Client;
using Airlock.Core.Artifacts;

namespace Airlock.Cli.Infrastructure;

/// <summary>
/// The artifact store the <c>artifact</c> verbs work on: the daemon's (<c>--host</c> / <c>AIRLOCK_HOST</c>) through
/// the API, or the data directory's own, opened directly (no engine, no daemon needed).
/// </summary>
internal sealed class CliArtifacts : IDisposable
{
    private readonly IDisposable _owner;

    private CliArtifacts(IArtifactStore store, IDisposable owner)
    {
        Store = store;
        _owner = owner;
    }

    public IArtifactStore Store { get; }

    public static CliArtifacts Open(ParseResult parse)
    {
        var paths = GlobalOptions.Paths(parse);
        if (GlobalOptions.HostAddress(parse) is { } host)
        {
            var client = CliBackend.Connect(host, paths);
            return new CliArtifacts(client.Artifacts, client);
        }

        // Embedded: the user's own disk, so no size cap beyond the disk's.
        var store = new ArtifactStore(paths, long.MaxValue, TimeProvider.System);
        return new CliArtifacts(store, store);
    }

    public void Dispose() => _owner.Dispose();
}
