using System.Text;
using Airlock.Core;
using Airlock.Core.Backends;

namespace Airlock.Backends.Runc.Tests.Fixtures;

/// <summary>One sandbox created through the real backend; disposing destroys it (even when the test failed).</summary>
internal sealed class TestSandbox : IAsyncDisposable
{
    private TestSandbox(RuncBackend backend, AirlockPaths paths, string id, List<(string Step, TimeSpan Elapsed)> steps)
    {
        Steps = steps;
        Backend = backend;
        Paths = paths;
        Id = id;
    }

    public RuncBackend Backend { get; }

    public AirlockPaths Paths { get; }

    public string Id { get; }

    public List<(string Step, TimeSpan Elapsed)> Steps { get; }

    public static async Task<TestSandbox> CreateAsync(
        long memoryBytes = 256L << 20, int pids = 256, long diskBytes = 512L << 20, TimeSpan? ttl = null, AirlockPaths? paths = null)
    {
        paths ??= TestHost.NewDataDirectory();
        var steps = new List<(string, TimeSpan)>();
        var backend = new RuncBackend(paths, new RuncBackendOptions { OnCreateStep = (s, t) => steps.Add((s, t)) });
        var sandbox = new TestSandbox(backend, paths, TestHost.NewId(), steps);
        var request = NewRequest(sandbox.Id, memoryBytes, pids, diskBytes, ttl);
        try
        {
            await backend.CreateAsync(request);
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

    /// <summary>Runs a bash command through the (stand-in) agent's socket.</summary>
    public async Task<(int ExitCode, string Output)> ExecAsync(string command, double timeoutSeconds = 30)
    {
        await using var stream = await Backend.ConnectAgentAsync(Id);
        var request = Encoding.UTF8.GetBytes($"{timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} {Convert.ToBase64String(Encoding.UTF8.GetBytes(command))}\n");
        await stream.WriteAsync(request);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds + 30));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(cts.Token);
        var marker = text.LastIndexOf("\n__EXIT__ ", StringComparison.Ordinal);
        Assert.True(marker >= 0, $"agent reply has no exit marker: {text}");
        var code = int.Parse(text[(marker + 10)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return (code, text[..marker]);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Backend.DestroyAsync(Id);
        }
        finally
        {
            if (Directory.Exists(Paths.DataDirectory) && (!Directory.Exists(Paths.Sandboxes) || !Directory.EnumerateFileSystemEntries(Paths.Sandboxes).Any()))
            {
                Directory.Delete(Paths.DataDirectory, recursive: true);
            }
        }
    }
}
