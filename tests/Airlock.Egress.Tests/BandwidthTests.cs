using System.Diagnostics;
using System.Net;
using Airlock.Audit;

namespace Airlock.Egress.Tests;

public sealed class BandwidthTests
{
    private const long EightMegabit = 8_000_000;

    [Fact]
    public async Task Download_AtEightMegabit_MeasuresWithinTwentyPercentOfOneMegabytePerSecond()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")) with { RateBitsPerSecond = EightMegabit });
        using var client = h.Client(viaProxy: true);
        const long size = 20_000_000;

        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync($"http://pkgs.test:{h.Pkgs.EndPoint.Port}/bytes/{size}", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var received = 0L;
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0) received += n;
        clock.Stop();

        // The acceptance criterion: egress_rate 8mbit, 20 MB measures within 20 % of 1 MB/s.
        var rate = received / clock.Elapsed.TotalSeconds;
        Assert.Equal(size, received);
        Assert.InRange(rate, 0.8 * 1_000_000, 1.2 * 1_000_000);
    }

    [Fact]
    public async Task Quota_WhenSpent_ClosesTheTransferAndRefusesNewConnections()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")) with { QuotaBytes = 200_000 });
        using var client = h.Client(viaProxy: true);

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var bytes = await client.GetByteArrayAsync($"http://pkgs.test:{h.Pkgs.EndPoint.Port}/bytes/1000000");
            Assert.Fail($"the whole megabyte arrived ({bytes.Length} bytes) past a 200 kB quota");
        });
        using var next = await client.GetAsync($"http://pkgs.test:{h.Pkgs.EndPoint.Port}/small");

        Assert.Equal(HttpStatusCode.Forbidden, next.StatusCode);
        Assert.Single(h.Pkgs.Requests);
        await h.AuditedAsync(e => e.Outcome == AuditOutcomes.Denied && e.Details.GetValueOrDefault("rule") == "quota", "the quota refusal");
    }
}
