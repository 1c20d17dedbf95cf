using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>
/// Generated hostile requests at every route of a real <c>airlock serve</c> with a real sandbox behind it: not one
/// may be answered with a 5xx, the daemon must stay up, and no host file outside its data directory may change.
/// AIRLOCK_FUZZ_REQUESTS (default 5000) and AIRLOCK_FUZZ_SEED replay or widen a run.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ApiFuzzTests
{
    private const int Workers = 6;

    [Fact]
    public async Task GeneratedRequests_AtEveryRoute_GetNo5xx_KeepTheDaemonUp_AndTouchNoHostFile()
    {
        var requests = int.TryParse(Environment.GetEnvironmentVariable("AIRLOCK_FUZZ_REQUESTS"), out var n) ? n : 5000;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("AIRLOCK_FUZZ_SEED"), out var s) ? s : Environment.TickCount & 0xffff;
        using var canary = new HostCanary();
        await using var session = await DaemonSession.StartAsync();
        var routes = ApiRoute.FromOpenApi(await session.Http.GetStringAsync("/openapi/v1.json"));
        Assert.True(routes.Count >= 30, $"the OpenAPI document lists only {routes.Count} operations");
        var imagesBefore = await session.Http.GetStringAsync("/v1/images");

        var sandbox = await NewTargetAsync(session, canary.Directory);
        var fuzzer = new ApiFuzzer(session.Daemon.Url, session.Daemon.Token, routes, canary.Directory, () => Volatile.Read(ref sandbox));
        using var keeper = new CancellationTokenSource();
        var keep = KeepTargetAsync(session, canary.Directory, () => sandbox, id => Volatile.Write(ref sandbox, id), keeper.Token);
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => fuzzer.RunAsync(seed * 31 + w, (requests + Workers - 1) / Workers, CancellationToken.None)));
        await keeper.CancelAsync();
        await keep;

        var ids = await session.Http.SandboxIdsAsync();
        // Whatever the fuzzer managed to create is removed through the API (before any assertion, so a failure leaves nothing running).
        var deleted = await session.Http.DeleteSandboxesAsync(ids);
        var report = $"seed {seed}: {fuzzer.Sent} requests over {routes.Count} operations, {fuzzer.StreamsCut} bodies cut after 2 s, {fuzzer.Timeouts} without an answer in 20 s, {fuzzer.Dropped} connections closed early";
        Console.WriteLine("fuzz: " + report);
        Assert.True(fuzzer.Sent >= requests, report);
        Assert.All(deleted, d => Assert.Equal(HttpStatusCode.NoContent, d.Value));
        var failed = session.Daemon.RecentLog.Split('\n').Where(l => l.StartsWith("fail:", StringComparison.Ordinal)).Select(l => l.Length > 1500 ? l[..1500] : l);
        Assert.True(fuzzer.ServerErrors.IsEmpty, $"{fuzzer.ServerErrors.Count} answers were 5xx ({report}):\n" + string.Join('\n', fuzzer.ServerErrors.Take(25))
            + "\ndaemon log:\n" + string.Join('\n', failed));
        Assert.False(session.Daemon.HasExited, "the daemon died under the fuzzer");
        Assert.Equal(HttpStatusCode.OK, (await session.Http.GetAsync("/health")).StatusCode);
        Assert.Equal(imagesBefore, await session.Http.GetStringAsync("/v1/images"));

        Assert.Empty(ids.SelectMany(id => HostProbe.TracesOf(session.DataPath, id)));
        Assert.Empty(canary.Changes());
        var verify = await session.Http.GetFromJsonAsync<JsonElement>("/v1/audit/verify");
        Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());
    }

    /// <summary>A running sandbox whose workspace holds symlinks to the host canary: the files routes must not follow them out.</summary>
    private static async Task<string> NewTargetAsync(DaemonSession session, string canary)
    {
        var id = (await session.CreateSandboxAsync(new { memory = "128m", timeout = "30m" })).GetProperty("id").GetString()!;
        var body = JsonSerializer.Serialize(new { command = new[] { "sh", "-c", $"ln -s {canary}/secret.txt /workspace/link; ln -s {canary} /workspace/dirlink" } });
        using var exec = await session.Http.PostAsync($"/v1/sandboxes/{id}/exec", DaemonSession.Json(body));
        Assert.Equal(HttpStatusCode.OK, exec.StatusCode);
        await exec.Content.ReadAsStringAsync();
        return id;
    }

    /// <summary>The fuzzer pauses, kills and deletes its target now and then: bring it back so requests keep reaching a live sandbox.</summary>
    private static async Task KeepTargetAsync(DaemonSession session, string canary, Func<string> current, Action<string> replace, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            using var get = await session.Http.GetAsync($"/v1/sandboxes/{current()}", CancellationToken.None);
            if (get.StatusCode == HttpStatusCode.NotFound)
            {
                replace(await NewTargetAsync(session, canary));
                continue;
            }

            var state = (await get.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None)).GetProperty("state").GetString();
            if (state == "paused") (await session.Http.PostAsync($"/v1/sandboxes/{current()}/resume", null, CancellationToken.None)).Dispose();
            else if (state == "stopped")
            {
                (await session.Http.DeleteAsync($"/v1/sandboxes/{current()}", CancellationToken.None)).Dispose();
                replace(await NewTargetAsync(session, canary));
            }
        }
    }
}
