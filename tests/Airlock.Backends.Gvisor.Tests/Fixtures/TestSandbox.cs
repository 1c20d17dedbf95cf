using System.Text;
using Airlock.Core;
using Airlock.Core.Backends;
using Airlock.Guest.Protocol;

namespace Airlock.Backends.Gvisor.Tests.Fixtures;

/// <summary>One sandbox created through the real backend with the real agent; disposing destroys it (even when the test failed).</summary>
internal sealed class TestSandbox : IAsyncDisposable
{
    private TestSandbox(GvisorBackend backend, AirlockPaths paths, string id, List<(string Step, TimeSpan Elapsed)> steps)
    {
        Backend = backend;
        Paths = paths;
        Id = id;
        Steps = steps;
        Client = new GuestClient(cancellationToken => backend.ConnectAgentAsync(id, cancellationToken));
    }

    public GvisorBackend Backend { get; }

    public AirlockPaths Paths { get; }

    public string Id { get; }

    public GuestClient Client { get; }

    public List<(string Step, TimeSpan Elapsed)> Steps { get; }

    public string Directory => Paths.SandboxDirectory(Id);

    public static async Task<TestSandbox> CreateAsync(long memoryBytes = 256L << 20, int pids = 256, long diskBytes = 512L << 20, TimeSpan? ttl = null)
    {
        var paths = TestHost.NewDataDirectory();
        var steps = new List<(string, TimeSpan)>();
        var backend = new GvisorBackend(paths, new GvisorBackendOptions { OnCreateStep = (s, t) => steps.Add((s, t)) });
        var sandbox = new TestSandbox(backend, paths, TestHost.NewId(), steps);
        try
        {
            await backend.CreateAsync(NewRequest(sandbox.Id, memoryBytes, pids, diskBytes, ttl));
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }

        return sandbox;
    }

    public static BackendCreateRequest NewRequest(string id, long memoryBytes = 256L << 20, int pids = 256, long diskBytes = 512L << 20, TimeSpan? ttl = null) => new()
    {
        Id = id,
        ImageRootfs = TestHost.Rootfs,
        AgentPath = TestHost.AgentPath,
        Cpus = 1,
        MemoryBytes = memoryBytes,
        Pids = pids,
        DiskBytes = diskBytes,
        Ttl = ttl,
        Hostname = "sbx-" + id,
        Env = new Dictionary<string, string> { ["AIRLOCK_TEST"] = "1" },
    };

    /// <summary>Runs a bash command through the agent and collects its output (stdout and stderr interleaved).</summary>
    public async Task<(ExecResult Result, string Output)> ExecAsync(string command, double timeoutSeconds = 30)
    {
        var output = new StringBuilder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds + 60));
        var request = new ExecRequest { Command = ["/bin/bash", "-c", command], Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        try
        {
            await foreach (var e in Client.ExecAsync(request, cts.Token))
            {
                switch (e)
                {
                    case ExecOutput o:
                        output.Append(Encoding.UTF8.GetString(o.Data.Span));
                        break;
                    case ExecExited x:
                        return (x.Result, output.ToString());
                }
            }
        }
        catch (AirlockException e) when (e.Kind == AirlockErrorKind.Unavailable)
        {
            // What a lost agent leaves to go on (the sandbox's agent has no log of its own): whether the sandbox still
            // runs, and what runsc wrote.
            throw new InvalidOperationException(
                $"{e.Message}; sandbox {await Backend.GetStateAsync(Id)}; output so far: {Tail(output.ToString())}; "
                + $"runsc.log: {Tail(ReadIfExists("runsc.log"))}; runsc-panic.log: {Tail(ReadIfExists("runsc-panic.log"))}", e);
        }

        throw new InvalidOperationException($"exec ended without an exit: {output}");
    }

    private string ReadIfExists(string bundleFile) =>
        Path.Combine(Directory, "bundle", bundleFile) is var path && File.Exists(path) ? File.ReadAllText(path) : "(none)";

    private static string Tail(string text) => text.Length <= 2000 ? text : "..." + text[^2000..];

    /// <summary>The sentry's host pid (runsc's pid file), or null once the sandbox is gone.</summary>
    public int? SentryPid()
    {
        var pidFile = Path.Combine(Directory, "bundle", "init.pid");
        return File.Exists(pidFile) ? int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Backend.DestroyAsync(Id);
        }
        finally
        {
            if (System.IO.Directory.Exists(Paths.DataDirectory) && (!System.IO.Directory.Exists(Paths.Sandboxes) || !System.IO.Directory.EnumerateFileSystemEntries(Paths.Sandboxes).Any()))
            {
                System.IO.Directory.Delete(Paths.DataDirectory, recursive: true);
            }
        }
    }
}
