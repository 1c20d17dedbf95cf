using System.Net;
using System.Text.Json;

namespace Airlock.Integration.Tests.Egress;

/// <summary>
/// The anomaly rule of the governance issue on real egress: a sandbox that keeps knocking on a denied host is paused by
/// a real daemon, which hears of the gateway's decisions although the gateway writes them from a process of its own.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class EgressAnomalyTests(EgressSession session) : IClassFixture<EgressSession>
{
    [Fact]
    public async Task EgressDeniedRule_PausesASandboxThatHammersADeniedHost()
    {
        await using var daemon = await DaemonSession.StartAsync(session.Internet.GatewayEnvironment);
        const string policy = "network: { allow: [ \"pkgs.test\" ] }\nanomalies: [ { when: \"egress_denied > 20 in 1m\", then: pause } ]\n";
        var id = (await daemon.CreateSandboxAsync(new { isolation = "container", policy })).GetProperty("id").GetString()!;

        // 30 refused requests, each its own connection through the proxy: 30 network.decision denials. A background
        // process, since the pause freezes it midway.
        var hammer = await daemon.Http.PostAsync($"/v1/sandboxes/{id}/processes", DaemonSession.Json(JsonSerializer.Serialize(new
        {
            command = new[] { "bash", "-c", "for i in $(seq 30); do curl -s -o /dev/null --max-time 3 http://other.test/knock/$i; done" },
        })));
        Assert.True(hammer.StatusCode == HttpStatusCode.Created, await hammer.Content.ReadAsStringAsync());

        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? state = null;
        while (DateTime.UtcNow < deadline)
        {
            using var info = JsonDocument.Parse(await daemon.Http.GetStringAsync($"/v1/sandboxes/{id}"));
            state = info.RootElement.GetProperty("state").GetString();
            if (state == "paused") break;
            await Task.Delay(200);
        }

        Assert.Equal("paused", state);
        using var alerts = JsonDocument.Parse(await daemon.Http.GetStringAsync($"/v1/audit?kind=anomaly&sandbox={id}"));
        var alert = Assert.Single(alerts.RootElement.GetProperty("records").EnumerateArray());
        Assert.Equal("egress_denied > 20 in 1m -> pause", alert.GetProperty("event").GetProperty("details").GetProperty("rule").GetString());
        Assert.DoesNotContain(session.Internet.Log("requests.log"), r => r.GetProperty("path").GetString()!.StartsWith("/knock", StringComparison.Ordinal));
    }
}
