using System.Net;
using System.Text.Json;

namespace Airlock.Integration.Tests;

/// <summary>
/// Anomaly rules on resource gauges: a real daemon samples a real sandbox's host cgroups (every 5 s) and acts when
/// CPU stays pinned or memory stays at the limit for the rule's duration.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ResourceAnomalyTests : IAsyncLifetime
{
    private DaemonSession _session = null!;

    private HttpClient Http => _session.Http;

    public async Task InitializeAsync() => _session = await DaemonSession.StartAsync();

    public async Task DisposeAsync() => await _session.DisposeAsync();

    [Fact]
    public async Task CpuPinnedRule_PausesASandboxThatSpinsPastTheDuration()
    {
        var id = await CreateAsync("0.5", "256m", "anomalies: [ { when: \"cpu_percent > 60 for 10s\", then: pause } ]\n");
        await StartAsync(id, "python3", "-c", "while True: pass");

        Assert.Equal("paused", await WaitForStateAsync(id, "paused", TimeSpan.FromSeconds(90)));
        var alert = Assert.Single(await AlertsAsync(id));
        Assert.Equal("cpu_percent", alert.GetProperty("counter").GetString());
        Assert.Equal("cpu_percent > 60 for 10s -> pause", alert.GetProperty("rule").GetString());
        Assert.True(double.Parse(alert.GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 60);
    }

    [Fact]
    public async Task MemoryAtTheLimitRule_KillsTheSandbox_WhileAnIdleOneIsLeftAlone()
    {
        var policy = "anomalies: [ { when: \"memory_percent >= 70 for 5s\", then: kill } ]\n";
        var hog = await CreateAsync("1", "64m", policy);
        var idle = await CreateAsync("1", "64m", policy);
        // ~48 MiB touched and held: three quarters of the limit, below the OOM killer's line.
        await StartAsync(hog, "python3", "-c", "import time; b = bytearray(48 << 20); b[::4096] = b'x' * len(b[::4096]); time.sleep(600)");

        Assert.Equal("gone", await WaitForStateAsync(hog, "gone", TimeSpan.FromSeconds(90)));
        var alert = Assert.Single(await AlertsAsync(hog));
        Assert.Equal("memory_percent", alert.GetProperty("counter").GetString());
        Assert.Equal("kill", alert.GetProperty("response").GetString());
        Assert.Empty(await AlertsAsync(idle));
        Assert.Equal("running", await WaitForStateAsync(idle, "running", TimeSpan.FromSeconds(1)));
    }

    private async Task<string> CreateAsync(string cpus, string memory, string policy) =>
        (await _session.CreateSandboxAsync(new { isolation = "container", cpus = double.Parse(cpus, System.Globalization.CultureInfo.InvariantCulture), memory, policy })).GetProperty("id").GetString()!;

    private async Task StartAsync(string id, params string[] command)
    {
        var response = await Http.PostAsync($"/v1/sandboxes/{id}/processes", DaemonSession.Json(JsonSerializer.Serialize(new { command })));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> WaitForStateAsync(string id, string state, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        string? current = null;
        do
        {
            var response = await Http.GetAsync($"/v1/sandboxes/{id}");
            if (response.StatusCode == HttpStatusCode.NotFound) return "gone";
            using var info = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            current = info.RootElement.GetProperty("state").GetString();
            if (current == state) return current;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        return current ?? "";
    }

    private async Task<List<JsonElement>> AlertsAsync(string id)
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync($"/v1/audit?kind=anomaly&sandbox={id}"));
        return [.. document.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("event").GetProperty("details").Clone())];
    }
}
