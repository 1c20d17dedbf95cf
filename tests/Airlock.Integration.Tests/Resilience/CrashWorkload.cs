using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>
/// Concurrent clients creating, executing in, writing to and deleting sandboxes, minting tokens and reading the
/// audit trail against one daemon incarnation, until it is killed. Every call the daemon acknowledges is written
/// down in <see cref="Acknowledged"/>; calls cut off by the kill are simply not.
/// </summary>
internal sealed class CrashWorkload(HttpClient http, Acknowledged acknowledged, Random random)
{
    public const int MaxLive = 4;

    private readonly object _gate = new();

    /// <summary>Completed with the operation's name when the first request of that kind leaves the client.</summary>
    public Dictionary<string, TaskCompletionSource> Sent { get; } = new[] { "create", "exec", "write", "delete", "token" }
        .ToDictionary(k => k, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public async Task RunAsync(int actors, CancellationToken cancellationToken)
    {
        var tasks = Enumerable.Range(0, actors).Select(_ => ActorAsync(cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private int Next(int max)
    {
        lock (_gate) return random.Next(max);
    }

    private async Task ActorAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var live = acknowledged.Live.ToList();
                var roll = Next(100);
                if (live.Count == 0 || (roll < 20 && live.Count < MaxLive)) await CreateAsync(cancellationToken);
                else if (roll < 55) await ExecAsync(live[Next(live.Count)], cancellationToken);
                else if (roll < 80) await WriteAsync(live[Next(live.Count)], cancellationToken);
                else if (roll < 90 && live.Count > 2) await DeleteAsync(live[Next(live.Count)], cancellationToken);
                else if (roll < 95) await MintTokenAsync(cancellationToken);
                else await ReadAuditAsync(cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or JsonException)
            {
                // The daemon was killed under this call (or a sandbox was deleted under another actor): not acknowledged.
                if (cancellationToken.IsCancellationRequested) return;
                await Task.Delay(20, CancellationToken.None);
            }
        }
    }

    private void Mark(string operation) => Sent[operation].TrySetResult();

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        // Mostly runc (the container tier's shims, cgroups and loop disks); one in four on gVisor (runsc's gofer and sandbox processes, its state dir).
        var isolation = Next(4) == 0 ? "gvisor" : "container";
        Mark("create");
        using var response = await http.PostAsync("/v1/sandboxes", Json(new { isolation, memory = "96m", disk = "64m", timeout = "2h", labels = new Dictionary<string, string> { ["suite"] = "fault" } }), cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created) return;
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;
        acknowledged.Created[id] = true;
    }

    private async Task ExecAsync(string id, CancellationToken cancellationToken)
    {
        var nonce = "n" + Next(int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Mark("exec");
        using var response = await http.PostAsync($"/v1/sandboxes/{id}/exec", Json(new { command = new[] { "sh", "-c", "echo $1 >> /workspace/log; wc -l < /workspace/log", "sh", nonce } }), cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK) return;
        var lines = (await response.Content.ReadAsStringAsync(cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length > 0 && lines[^1].Contains("\"type\":\"exit\"", StringComparison.Ordinal)) acknowledged.Execs.Add((id, nonce));
    }

    private async Task WriteAsync(string id, CancellationToken cancellationToken)
    {
        var content = new byte[Next(256 << 10)];
        lock (_gate) random.NextBytes(content);
        var path = $"/workspace/f{Next(8)}.bin";
        Mark("write");
        using var response = await http.PutAsync($"/v1/sandboxes/{id}/files?path={Uri.EscapeDataString(path)}", new ByteArrayContent(content), cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK) return;
        acknowledged.Writes[id] = (path, content);
        acknowledged.WriteRecords.Add((id, path));
    }

    private async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        acknowledged.DeleteSent[id] = true;
        Mark("delete");
        using var response = await http.DeleteAsync($"/v1/sandboxes/{id}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent) acknowledged.Deleted[id] = true;
    }

    private async Task MintTokenAsync(CancellationToken cancellationToken)
    {
        Mark("token");
        using var response = await http.PostAsync("/v1/tokens", Json(new { scopes = new[] { "sandbox:read" }, ttl = "5m" }), cancellationToken);
        await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private async Task ReadAuditAsync(CancellationToken cancellationToken)
    {
        var page = await http.GetFromJsonAsync<JsonElement>("/v1/audit?newest=true&limit=50", cancellationToken);
        foreach (var record in page.GetProperty("records").EnumerateArray())
        {
            acknowledged.AuditSeen[record.GetProperty("sequence").GetInt64()] = record.GetProperty("hash").GetString()!;
        }
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
