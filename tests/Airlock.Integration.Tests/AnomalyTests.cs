using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Airlock.Integration.Tests;

/// <summary>Anomaly rules watching a real daemon's audit stream, with real responses on real sandboxes.</summary>
[Collection(SandboxCollection.Name)]
public sealed class AnomalyTests : IAsyncLifetime
{
    private DaemonSession _session = null!;

    private HttpClient _http => _session.Http;

    private DaemonProcess _daemon => _session.Daemon;

    public async Task InitializeAsync() => _session = await DaemonSession.StartAsync();

    public async Task DisposeAsync() => await _session.DisposeAsync();

    [Fact]
    public async Task ExecRateRule_PausesTheSandbox_AndRecordsTheAlert()
    {
        var id = await CreateAsync("anomalies: [ { when: \"exec_rate > 5 in 1m\", then: pause } ]\n");
        using var alertStream = new StreamReader(await _http.GetStreamAsync($"/v1/audit/stream?kind=anomaly&sandbox={id}"));
        for (var i = 0; i < 6; i++)
        {
            var exec = await _http.PostAsync($"/v1/sandboxes/{id}/exec", Json("""{ "command": ["true"] }"""));
            Assert.Equal(HttpStatusCode.OK, exec.StatusCode);
            await exec.Content.ReadAsStringAsync();
        }

        using (var streamed = JsonDocument.Parse(await DaemonSession.ReadEventDataAsync(alertStream, "audit")))
        {
            Assert.Equal("anomaly", streamed.RootElement.GetProperty("event").GetProperty("kind").GetString());
            Assert.Equal("exec_rate > 5 in 1m -> pause", streamed.RootElement.GetProperty("event").GetProperty("details").GetProperty("rule").GetString());
        }

        Assert.Equal("paused", await WaitForStateAsync(id, "paused"));
        var refused = await _http.PostAsync($"/v1/sandboxes/{id}/exec", Json("""{ "command": ["true"] }"""));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        var alerts = await AuditAsync($"kind=anomaly&sandbox={id}");
        var alert = Assert.Single(alerts);
        Assert.Equal("alert", alert.GetProperty("event").GetProperty("outcome").GetString());
        var details = alert.GetProperty("event").GetProperty("details");
        Assert.Equal("exec_rate > 5 in 1m -> pause", details.GetProperty("rule").GetString());
        Assert.Equal("6", details.GetProperty("value").GetString());
        Assert.Contains(await AuditAsync($"kind=sandbox.paused&sandbox={id}"), r => r.GetProperty("event").GetProperty("actor").GetString() == "airlock");
    }

    [Fact]
    public async Task PolicyDeniedRule_KillsTheSandbox_AfterRepeatedRefusals()
    {
        var id = await CreateAsync("tools: { deny: [ \"curl *\" ] }\nanomalies: [ { when: \"policy_denied >= 3 in 1m\", then: kill } ]\n");
        for (var i = 0; i < 3; i++)
        {
            var exec = await _http.PostAsync($"/v1/sandboxes/{id}/exec", Json("""{ "command": ["curl", "http://127.0.0.1:1/"] }"""));
            Assert.Equal(HttpStatusCode.Forbidden, exec.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && (await _http.GetAsync($"/v1/sandboxes/{id}")).StatusCode != HttpStatusCode.NotFound) await Task.Delay(100);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/v1/sandboxes/{id}")).StatusCode);
        Assert.Empty(HostProbe.TracesOf(_session.DataPath, id));
        Assert.Single(await AuditAsync($"kind=anomaly&sandbox={id}"));
    }

    [Fact]
    public async Task FailedAccessRule_RevokesTheSandboxsToken_AfterRepeatedForbiddenWrites()
    {
        var id = await CreateAsync("anomalies: [ { when: \"failed_access >= 3 in 1m\", then: revoke } ]\n");
        var minted = await _http.PostAsync("/v1/tokens", Json(JsonSerializer.Serialize(new { name = "reader", scopes = new[] { "files:read" }, sandbox = id })));
        Assert.Equal(HttpStatusCode.Created, minted.StatusCode);
        using var token = JsonDocument.Parse(await minted.Content.ReadAsStringAsync());
        using var agent = new HttpClient { BaseAddress = _daemon.Url };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync($"/v1/sandboxes/{id}/files/stat?path=/tmp")).StatusCode);

        for (var i = 0; i < 3; i++)
        {
            var write = await agent.PutAsync($"/v1/sandboxes/{id}/files?path=/tmp/x", new ByteArrayContent("x"u8.ToArray()));
            Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            status = (await agent.GetAsync($"/v1/sandboxes/{id}/files/stat?path=/tmp")).StatusCode;
            if (status == HttpStatusCode.Unauthorized) break;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Single(await AuditAsync($"kind=anomaly&sandbox={id}"));
        Assert.Single(await AuditAsync("kind=token.revoked"));
        using var posture = JsonDocument.Parse(await _http.GetStringAsync($"/v1/sandboxes/{id}/posture"));
        // Three forbidden writes, then the first call with the revoked token (401).
        Assert.Equal(4, posture.RootElement.GetProperty("failedAccess").GetInt64());
        Assert.StartsWith("inline-", posture.RootElement.GetProperty("policy").GetString(), StringComparison.Ordinal);
    }

    private async Task<string> CreateAsync(string policy) =>
        (await _session.CreateSandboxAsync(new { isolation = "container", policy })).GetProperty("id").GetString()!;

    private async Task<string> WaitForStateAsync(string id, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? current = null;
        while (DateTime.UtcNow < deadline)
        {
            using var info = JsonDocument.Parse(await _http.GetStringAsync($"/v1/sandboxes/{id}"));
            current = info.RootElement.GetProperty("state").GetString();
            if (current == state) return current;
            await Task.Delay(100);
        }

        return current ?? "";
    }

    private async Task<List<JsonElement>> AuditAsync(string query)
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync($"/v1/audit?{query}"));
        return [.. document.RootElement.GetProperty("records").EnumerateArray().Select(r => r.Clone())];
    }

    private static StringContent Json(string text) => DaemonSession.Json(text);
}
