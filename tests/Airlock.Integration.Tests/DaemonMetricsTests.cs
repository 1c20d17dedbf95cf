using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Airlock.Client;

namespace Airlock.Integration.Tests;

/// <summary>GET /metrics of a real <c>airlock serve</c> over a real sandbox.</summary>
[Collection(SandboxCollection.Name)]
public sealed class DaemonMetricsTests : IAsyncLifetime
{
    private readonly TempDataDir _data = new();
    private DaemonProcess _daemon = null!;

    public async Task InitializeAsync()
    {
        _daemon = new DaemonProcess(_data.Path);
        await _daemon.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Metrics_CountRealExecsByTheirTier_AndTheSandboxRunning_BehindTheToken()
    {
        using var http = new HttpClient { BaseAddress = _daemon.Url };
        using (var anonymous = await http.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _daemon.Token);
        using var client = new AirlockClient(_daemon.Url, _daemon.Token);
        await using var sandbox = await client.CreateSandboxAsync();
        var tier = $"tier=\"{sandbox.Info.Isolation}\"";
        var before = Sum(await http.GetStringAsync("/metrics"), "airlock_exec_duration_seconds_count", tier);

        for (var i = 0; i < 3; i++) Assert.Equal(i, (await sandbox.ExecAsync("sh", "-c", $"exit {i}")).ExitCode);

        var text = await http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE airlock_exec_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE airlock_sandboxes gauge", text, StringComparison.Ordinal);
        Assert.Equal(3, Sum(text, "airlock_exec_duration_seconds_count", tier) - before);
        Assert.Equal(1, Sum(text, "airlock_sandboxes", tier, "state=\"running\""));
        Assert.Equal(1, Sum(text, "airlock_failed_accesses_total", "kind=\"missing_token\""));
    }

    /// <summary>The sum of the samples of <paramref name="name"/> whose label set contains every one of <paramref name="labels"/>.</summary>
    private static double Sum(string exposition, string name, params string[] labels) => exposition
        .Split('\n')
        .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
        .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
