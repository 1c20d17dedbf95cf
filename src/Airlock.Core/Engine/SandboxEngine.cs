using System.Collections.Concurrent;
using Airlock.Core.Backends;
using Airlock.Core.Images;
using Airlock.Core.Policy;
using Airlock.Core.State;
using Airlock.Guest.Protocol;

namespace Airlock.Core.Engine;

/// <summary>
/// The sandbox lifecycle over the host: the one implementation of <see cref="ISandboxOperations"/>.
/// States: Creating (record written, host resources being made) -> Running &lt;-> Paused -> (deleted).
/// A record exists before any host resource and is removed after the last one, so the reconciler
/// (<see cref="StartAsync"/>) can finish any sandbox a crashed process left half-made.
/// </summary>
public sealed partial class SandboxEngine : ISandboxOperations, IAsyncDisposable
{
    private readonly SandboxStore _store;
    private readonly ConcurrentDictionary<string, GuestClient> _guests = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _reaper;
    private readonly ConcurrentDictionary<string, Lazy<Task<Airlock.Policy.SandboxPolicy>>> _policies = new();
    private string? _agentPath;

    public SandboxEngine(EngineOptions options, IEnumerable<ISandboxBackend> backends, IImageStore images, TimeProvider? time = null)
    {
        Options = options;
        Backends = backends.ToList();
        Images = images;
        Time = time ?? TimeProvider.System;
        _store = new SandboxStore(options.Paths.Database);
        Policies = new PolicyStore(options.Paths.Database, Time);
    }

    /// <summary>Named, versioned policies; every sandbox's policy is kept here, inline ones included.</summary>
    public PolicyStore Policies { get; }

    public EngineOptions Options { get; }

    public IReadOnlyList<ISandboxBackend> Backends { get; }

    public IImageStore Images { get; }

    private TimeProvider Time { get; }

    private AirlockPaths Paths => Options.Paths;

    /// <summary>Opens the state store and reconciles it with the host (keeps live sandboxes, cleans half-created, dead and expired ones).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        // The mapped (unprivileged) root of a sandbox must traverse the data directory to reach its root
        // filesystem, so it gets o+x (never o+r: listing it stays root's). A fresh `mktemp -d` is 0700.
        Directory.CreateDirectory(Paths.DataDirectory);
        File.SetUnixFileMode(Paths.DataDirectory, File.GetUnixFileMode(Paths.DataDirectory) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
        Directory.CreateDirectory(Paths.Sandboxes);
        File.SetUnixFileMode(Paths.Sandboxes, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        await _store.OpenAsync(cancellationToken);
        await ReconcileAsync(cancellationToken);
        if (Options.RunReaper)
        {
            _reaper = Task.Run(() => RunReaperAsync(_stopping.Token), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_reaper is not null)
        {
            try
            {
                await _reaper;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _store.Dispose();
        _stopping.Dispose();
    }

    private ISandboxBackend BackendFor(SandboxInfo info) =>
        Backends.FirstOrDefault(b => b.Tier == info.Isolation)
        ?? throw AirlockException.Unavailable($"sandbox {info.Id} runs on tier '{info.Isolation}', which this build of Airlock does not have");

    private GuestClient GuestFor(SandboxInfo info)
    {
        var backend = BackendFor(info);
        return _guests.GetOrAdd(info.Id, id => new GuestClient(ct => backend.ConnectAgentAsync(id, ct)));
    }

    private async Task<SandboxRecord> RequireAsync(string id, CancellationToken cancellationToken)
    {
        SpecValidator.ValidateId(id);
        return await _store.GetAsync(id, cancellationToken)
            ?? throw AirlockException.NotFound($"no sandbox '{id}'; `airlock ps` lists sandboxes");
    }

    /// <summary>The sandbox, which must be running (not creating, paused or stopped) for the guest agent to answer.</summary>
    private async Task<SandboxInfo> RequireRunningAsync(string id, CancellationToken cancellationToken)
    {
        var record = await RequireAsync(id, cancellationToken);
        return record.Info.State switch
        {
            SandboxState.Running => record.Info,
            SandboxState.Paused => throw AirlockException.Conflict($"sandbox {id} is paused; resume it first"),
            SandboxState.Creating => throw AirlockException.Conflict($"sandbox {id} is still being created"),
            _ => throw AirlockException.Conflict($"sandbox {id} has stopped ({record.Info.StopReason ?? "unknown reason"}); remove it with `airlock rm {id}`"),
        };
    }
}
