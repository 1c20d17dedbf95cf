using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>
/// kill -9 of a real <c>airlock serve</c> at seeded random points (after a random delay, or just after a create, exec,
/// file write, delete or token mint left the client), then a restart on the same data directory and the checks:
/// nothing orphaned on the host, every acknowledged sandbox, write and audit record still there, the chain verifies.
/// </summary>
internal sealed class FaultInjectionRun(string dataDir, int seed) : IAsyncDisposable
{
    private static readonly string[] KillPoints = ["delay", "create", "exec", "write", "delete", "token"];
    private readonly Random _random = new(seed);
    private readonly Acknowledged _acknowledged = new();
    private readonly HashSet<string> _everKnown = new(StringComparer.Ordinal);
    private DaemonProcess? _daemon;

    public List<string> Log { get; } = [];

    /// <summary>Sandboxes whose create finished while its answer was cut off by the kill.</summary>
    public int Unacknowledged { get; private set; }

    public async Task StartAsync()
    {
        _daemon = new DaemonProcess(dataDir);
        await _daemon.StartAsync();
    }

    /// <summary>One kill and restart; the problems found (empty when the daemon recovered cleanly).</summary>
    public async Task<List<string>> IterationAsync(int iteration)
    {
        var point = KillPoints[_random.Next(KillPoints.Length)];
        using (var http = Client(_daemon!))
        {
            var workload = new CrashWorkload(http, _acknowledged, new Random(_random.Next()));
            using var stop = new CancellationTokenSource();
            var running = workload.RunAsync(actors: 3, stop.Token);
            var delay = point == "delay" ? _random.Next(200, 4000) : _random.Next(0, point == "create" ? 1500 : 150);
            if (point != "delay") await Task.WhenAny(workload.Sent[point].Task, Task.Delay(TimeSpan.FromSeconds(8)));
            await Task.Delay(delay);
            await _daemon!.KillHardAsync();
            await stop.CancelAsync();
            await running;
        }

        _everKnown.UnionWith(HostLeftovers.KnownIds(dataDir));
        await _daemon.DisposeAsync();
        _daemon = new DaemonProcess(dataDir);
        await _daemon.StartAsync();
        var problems = await CheckAsync();
        Log.Add($"iteration {iteration}: kill at {point}, {_acknowledged.Live.Count} live, {_acknowledged.Created.Count} created, {_acknowledged.Deleted.Count} deleted, {_acknowledged.Execs.Count} execs, {problems.Count} problems");
        return problems.Select(p => $"iteration {iteration} (kill at {point}, seed {seed}): {p}").ToList();
    }

    private async Task<List<string>> CheckAsync()
    {
        var problems = new List<string>();
        using var http = Client(_daemon!);
        var listed = (await http.GetFromJsonAsync<JsonElement>("/v1/sandboxes")).GetProperty("sandboxes").EnumerateArray()
            .ToDictionary(s => s.GetProperty("id").GetString()!, s => s.Clone());
        foreach (var id in _acknowledged.Live)
        {
            if (!listed.TryGetValue(id, out var info))
            {
                // Its delete was under way when the daemon died and finished without its 204 reaching the client.
                if (_acknowledged.DeleteSent.ContainsKey(id)) _acknowledged.Deleted[id] = true;
                else problems.Add($"acknowledged sandbox {id} is gone");
            }
            else if (info.GetProperty("state").GetString() is var state && state != "running" && !(state == "stopped" && info.TryGetProperty("stopReason", out _)))
            {
                problems.Add($"acknowledged sandbox {id} is {state} without a reason");
            }
        }

        _acknowledged.DeleteSent.Clear();
        problems.AddRange(_acknowledged.Deleted.Keys.Where(listed.ContainsKey).Select(id => $"sandbox {id} was deleted (204) but is listed again"));
        // A create whose 201 the kill cut off may have finished: the sandbox is real and listed (the client can find it
        // by label); the harness removes it like a client retrying would, which must also leave nothing behind.
        foreach (var id in listed.Keys.Where(id => !_acknowledged.Created.ContainsKey(id)).ToList())
        {
            using var delete = await http.DeleteAsync($"/v1/sandboxes/{id}");
            if (delete.StatusCode != HttpStatusCode.NoContent) problems.Add($"unacknowledged sandbox {id} could not be removed: {(int)delete.StatusCode}");
            listed.Remove(id);
            Unacknowledged++;
        }

        var live = listed.Where(s => s.Value.GetProperty("state").GetString() is "running" or "paused").Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        problems.AddRange((await HostLeftovers.FindSettledAsync(dataDir, live, _everKnown, _daemon!.Pid)).Select(o => "orphan: " + o));

        foreach (var id in live.Where(_acknowledged.Live.Contains))
        {
            // Usable after the restart, and holding what it acknowledged before the kill.
            using var exec = await http.PostAsync($"/v1/sandboxes/{id}/exec", JsonBody(new { command = new[] { "true" } }));
            var text = await exec.Content.ReadAsStringAsync();
            if (exec.StatusCode != HttpStatusCode.OK || !text.Contains("\"exitCode\":0", StringComparison.Ordinal)) problems.Add($"exec in {id} after the restart: {(int)exec.StatusCode} {text}");
            if (_acknowledged.Writes.TryGetValue(id, out var write))
            {
                var read = await http.GetAsync($"/v1/sandboxes/{id}/files?path={Uri.EscapeDataString(write.Path)}");
                var bytes = await read.Content.ReadAsByteArrayAsync();
                // Another actor may have written the same path later without its answer arriving: then the content differs legitimately.
                if (read.StatusCode != HttpStatusCode.OK) problems.Add($"acknowledged write {id}:{write.Path} reads as {(int)read.StatusCode}");
            }
        }

        problems.AddRange(await CheckAuditAsync(http));
        return problems;
    }

    private async Task<List<string>> CheckAuditAsync(HttpClient http)
    {
        var problems = new List<string>();
        var records = new Dictionary<long, JsonElement>();
        var export = await http.GetStringAsync("/v1/audit/export");
        foreach (var line in export.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            records[doc.RootElement.GetProperty("seq").GetInt64()] = doc.RootElement.Clone();
        }

        foreach (var (seq, hash) in _acknowledged.AuditSeen)
        {
            if (!records.TryGetValue(seq, out var record)) problems.Add($"audit record {seq} was read before the kill and is gone");
            else if (record.GetProperty("hash").GetString() != hash) problems.Add($"audit record {seq} changed its hash");
        }

        var bySandbox = records.Values.Where(r => r.TryGetProperty("sandbox", out var s) && s.ValueKind == JsonValueKind.String)
            .ToLookup(r => r.GetProperty("sandbox").GetString()!, r => r);
        foreach (var id in _acknowledged.Created.Keys)
        {
            if (!bySandbox[id].Any(r => r.GetProperty("kind").GetString() == "sandbox.created")) problems.Add($"no sandbox.created record for acknowledged {id}");
        }

        foreach (var (id, nonce) in _acknowledged.Execs)
        {
            if (!bySandbox[id].Any(r => r.GetProperty("kind").GetString() == "exec" && r.GetProperty("details").ToString().Contains(nonce, StringComparison.Ordinal)))
            {
                problems.Add($"no exec record for the acknowledged exec {nonce} in {id}");
            }
        }

        foreach (var (id, path) in _acknowledged.WriteRecords)
        {
            if (!bySandbox[id].Any(r => r.GetProperty("kind").GetString() == "file.write" && r.GetProperty("details").ToString().Contains(path, StringComparison.Ordinal)))
            {
                problems.Add($"no file.write record for the acknowledged write {id}:{path}");
            }
        }

        var verify = await Cli.RunAsync(dataDir, "audit", "verify");
        if (verify.ExitCode != 0) problems.Add($"airlock audit verify exited {verify.ExitCode}: {verify.Stdout} {verify.Stderr}");
        return problems;
    }

    /// <summary>Removes every sandbox through the API and stops the daemon; what is left on the host after that is an orphan too.</summary>
    public async Task<List<string>> FinishAsync()
    {
        using (var http = Client(_daemon!))
        {
            await http.DeleteSandboxesAsync(await http.SandboxIdsAsync());
        }

        var pid = _daemon!.Pid;
        await _daemon.DisposeAsync();
        _daemon = null;
        return (await HostLeftovers.FindSettledAsync(dataDir, new HashSet<string>(), _everKnown.Union(_acknowledged.Created.Keys), pid)).Select(o => "after the run: " + o).ToList();
    }

    private static HttpClient Client(DaemonProcess daemon) => AdminApi.Client(daemon, TimeSpan.FromSeconds(90));

    private static StringContent JsonBody(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        if (_daemon is not null) await _daemon.DisposeAsync();
    }
}
