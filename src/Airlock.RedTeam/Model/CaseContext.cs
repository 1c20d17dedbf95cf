using System.Diagnostics;
using System.Text;
using Airlock.RedTeam.Host;
using Airlock.RedTeam.Running;

namespace Airlock.RedTeam.Model;

/// <summary>
/// What a case works with: the tier under attack, sandboxes it creates (all destroyed when the case ends, even
/// when it fails), bounded attack runs, and the host's evidence (markers, cgroups, process census).
/// </summary>
internal sealed class CaseContext(BatteryEnvironment environment, string tier) : IAsyncDisposable
{
    /// <summary>Output kept per stream; the rest is counted, not stored.</summary>
    private const int KeepBytes = 256 * 1024;

    private readonly List<string> _sandboxes = [];
    private readonly List<string> _daemonSandboxes = [];

    public string Tier { get; } = tier;

    public BatteryEnvironment Environment { get; } = environment;

    public ISandboxOperations Sandboxes => Environment.Sandboxes;

    public HostMarkers Markers => Environment.Markers;

    /// <summary>A fresh random value for this case (file names, processes it plants).</summary>
    public string Nonce { get; } = Guid.NewGuid().ToString("N")[..16];

    public async Task<SandboxInfo> CreateSandboxAsync(ResourceLimits? limits = null, string? policy = null, CancellationToken cancellationToken = default)
    {
        var info = await Sandboxes.CreateAsync(new SandboxSpec
        {
            Isolation = Tier,
            Limits = limits ?? new ResourceLimits { MemoryBytes = 256L << 20, Pids = 128, Cpus = 1, DiskBytes = 256L << 20 },
            Ttl = TimeSpan.FromMinutes(10),
            Labels = new Dictionary<string, string> { ["airlock.redteam"] = Nonce },
            Policy = policy,
        }, cancellationToken: cancellationToken);
        _sandboxes.Add(info.Id);
        return info;
    }

    /// <summary>A sandbox created through the battery's daemon (governance cases speak its REST API).</summary>
    public async Task<SandboxInfo> CreateDaemonSandboxAsync(string? policy = null, CancellationToken cancellationToken = default)
    {
        var info = await Environment.Admin.Operations.CreateAsync(new SandboxSpec
        {
            Isolation = Tier,
            Limits = new ResourceLimits { MemoryBytes = 128L << 20, Pids = 64 },
            Ttl = TimeSpan.FromMinutes(10),
            Labels = new Dictionary<string, string> { ["airlock.redteam"] = Nonce },
            Policy = policy,
        }, cancellationToken: cancellationToken);
        _daemonSandboxes.Add(info.Id);
        return info;
    }

    public Task<AttackRun> ShellAsync(string id, string script, TimeSpan timeout, CancellationToken cancellationToken, Action<long>? onBytes = null) =>
        RunAsync(id, ["sh", "-c", script], timeout, cancellationToken, onBytes);

    public Task<AttackRun> PythonAsync(string id, string code, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync(id, ["python3", "-c", code], timeout, cancellationToken);

    /// <summary>Runs <paramref name="command"/> with the engine's timeout, and gives up waiting a while after it.</summary>
    public async Task<AttackRun> RunAsync(string id, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken, Action<long>? onBytes = null, string? cwd = null, ISandboxOperations? operations = null)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        long total = 0;
        ExecResult? result = null;
        string? failure = null;
        var clock = Stopwatch.StartNew();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout + TimeSpan.FromSeconds(60));
        try
        {
            await foreach (var item in (operations ?? Sandboxes).ExecStreamAsync(id, new ExecRequest { Command = command, Timeout = timeout, Cwd = cwd }, bound.Token))
            {
                if (item is ExecOutput output)
                {
                    total += output.Data.Length;
                    onBytes?.Invoke(total);
                    var sink = output.Stream == OutputStream.Stdout ? stdout : stderr;
                    var room = (int)Math.Max(0, KeepBytes - sink.Length);
                    if (room > 0) sink.Write(output.Data.Span[..Math.Min(room, output.Data.Length)]);
                }
                else if (item is ExecExited exited)
                {
                    result = exited.Result;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            failure = "the host stopped waiting";
        }
        catch (AirlockException e)
        {
            failure = e.Message;
        }

        return new AttackRun
        {
            Result = result,
            Stdout = Encoding.UTF8.GetString(stdout.ToArray()),
            Stderr = Encoding.UTF8.GetString(stderr.ToArray()),
            TotalBytes = total,
            Duration = clock.Elapsed,
            Failure = failure,
        };
    }

    /// <summary>The baseline census of a sandbox's host processes, and a watch that samples them until disposed.</summary>
    public CensusWatch Watch(string id)
    {
        var cgroups = new SandboxCgroups(id);
        return new CensusWatch(cgroups, ProcessCensus.Take(cgroups));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (id, owner) in _sandboxes.Select(i => (i, Sandboxes)).Concat(_daemonSandboxes.Select(i => (i, Environment.Admin.Operations))))
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await owner.DeleteAsync(id, timeout.Token);
            }
            catch (Exception)
            {
                // Already gone (a TTL case destroys its own), or the engine failed to clean up: a cleanup error
                // must not end the battery (the engine's own reconcile reports leftovers).
            }
        }
    }
}
