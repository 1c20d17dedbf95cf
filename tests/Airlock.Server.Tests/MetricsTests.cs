using System.Net;
using System.Net.Http.Headers;
using Airlock.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Airlock.Server.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_WithoutToken_Is401()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Anonymous.GetAsync("/metrics");
        await ProblemAssert.IsProblemAsync(response, 401, "bearer token");
    }

    [Fact]
    public async Task Metrics_AfterExecs_CountsThemByTier_AsPrometheusText()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var sandbox = await server.Client.CreateSandboxAsync();
        var before = await ScrapeAsync(server);

        const int execs = 3;
        for (var i = 0; i < execs; i++) await sandbox.ExecAsync("script", "out:x", $"exit:{i}");

        var after = await ScrapeAsync(server);
        Assert.Equal("histogram", after.Types["airlock_exec_duration_seconds"]);
        const string count = "airlock_exec_duration_seconds_count";
        Assert.Equal(execs, after.Sum(count, ("tier", "container")) - before.Sum(count, ("tier", "container")));
        Assert.Equal(1, after.Sum(count, ("tier", "container"), ("outcome", "ok")));
        Assert.Equal(2, after.Sum(count, ("tier", "container"), ("outcome", "error")));
        Assert.True(after.Sum("airlock_exec_duration_seconds_sum") > 0);
        Assert.Equal(execs, after.Sum("airlock_exec_duration_seconds_bucket", ("le", "+Inf")));

        Assert.Equal("gauge", after.Types["airlock_sandboxes"]);
        Assert.Equal(1, after.Sum("airlock_sandboxes", ("tier", "container"), ("state", "running")));
        Assert.Equal(0, after.Sum("airlock_sandboxes", ("tier", "container"), ("state", "paused")));
    }

    [Fact]
    public async Task Metrics_ShowWhatTheLeadRecords_DenialsApprovalsAuditFailedAccesses()
    {
        await using var server = await ServerFixture.StartAsync();
        var metrics = server.Services.GetRequiredService<AirlockMetrics>();
        metrics.RecordDenial(DenialKinds.Policy);
        metrics.RecordDenial(DenialKinds.Policy);
        metrics.RecordDenial(DenialKinds.Egress);
        metrics.RecordDenial("/etc/passwd is no kind"); // folded, not a new series per value
        metrics.RecordAuditAppend(TimeSpan.FromMilliseconds(2));
        metrics.ObservePendingApprovals(() => 4);
        using (await server.Anonymous.GetAsync("/v1/sandboxes"))
        {
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/v1/sandboxes"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
            using var _ = await server.Anonymous.SendAsync(wrong);
        }

        var scrape = await ScrapeAsync(server);
        Assert.Equal("counter", scrape.Types["airlock_denials_total"]);
        Assert.Equal(2, scrape.Sum("airlock_denials_total", ("kind", "policy")));
        Assert.Equal(1, scrape.Sum("airlock_denials_total", ("kind", "egress")));
        Assert.Equal(1, scrape.Sum("airlock_denials_total", ("kind", "other")));
        Assert.Equal("histogram", scrape.Types["airlock_audit_append_duration_seconds"]);
        Assert.Equal(1, scrape.Sum("airlock_audit_append_duration_seconds_count"));
        Assert.Equal("gauge", scrape.Types["airlock_approvals_pending"]);
        Assert.Equal(4, scrape.Sum("airlock_approvals_pending"));
        Assert.Equal("counter", scrape.Types["airlock_failed_accesses_total"]);
        Assert.Equal(1, scrape.Sum("airlock_failed_accesses_total", ("kind", FailedAccessKinds.MissingToken)));
        Assert.Equal(1, scrape.Sum("airlock_failed_accesses_total", ("kind", FailedAccessKinds.InvalidToken)));
    }

    private static async Task<PrometheusScrape> ScrapeAsync(ServerFixture server)
    {
        using var response = await server.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return PrometheusScrape.Parse(await response.Content.ReadAsStringAsync());
    }
}
