using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Airlock.Client;

namespace Airlock.Integration.Tests;

/// <summary>The daemon, the REST API and the SDK over real sandboxes.</summary>
[Collection(SandboxCollection.Name)]
public sealed class DaemonTests : IAsyncLifetime
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
    public async Task Sdk_CreatesExecsAndDestroysOnDispose()
    {
        using var client = new AirlockClient(_daemon.Url, _daemon.Token);
        string id;
        await using (var sb = await client.CreateSandboxAsync(new SandboxSpec { Labels = new Dictionary<string, string> { ["via"] = "sdk" } }))
        {
            id = sb.Id;
            var outcome = await sb.ExecAsync("sh", "-c", "echo $((6*7)); echo oops >&2; exit 5");
            Assert.Equal(5, outcome.ExitCode);
            Assert.Equal("42\n", outcome.StdoutText);
            Assert.Equal("oops\n", outcome.StderrText);

            var chunks = new List<ExecEvent>();
            await foreach (var e in sb.ExecStreamAsync(new ExecRequest { Command = ["sh", "-c", "echo a; sleep 0.3; echo b"] })) chunks.Add(e);
            Assert.True(chunks.OfType<ExecOutput>().Count() >= 2, "output should stream as produced, not arrive in one piece");
            Assert.IsType<ExecExited>(chunks[^1]);
        }

        Assert.Empty(HostProbe.TracesOf(_data.Path, id));
    }

    [Fact]
    public async Task FiftyMegabytes_RoundTripByteExact_ThroughTheSdkAndTheRawApi()
    {
        using var client = new AirlockClient(_daemon.Url, _daemon.Token);
        await using var sb = await client.CreateSandboxAsync(new SandboxSpec());
        var bytes = RandomNumberGenerator.GetBytes(50 << 20);
        await sb.Files.WriteAsync("/workspace/sdk.bin", bytes);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await sb.Files.ReadAllBytesAsync("/workspace/sdk.bin")));

        using var http = Http();
        using var put = await http.PutAsync(new Uri(_daemon.Url, $"/v1/sandboxes/{sb.Id}/files?path=/workspace/api.bin"), new ByteArrayContent(bytes));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var read = await http.GetByteArrayAsync(new Uri(_daemon.Url, $"/v1/sandboxes/{sb.Id}/files?path=/workspace/api.bin"));
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(read));
    }

    [Fact]
    public async Task Api_RefusesEscapes_WithProblemJson_AndTouchesNoHostFile()
    {
        var hostDir = Directory.CreateTempSubdirectory("airlock-victim-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(hostDir, "secret.txt"), "host secret");
            using var client = new AirlockClient(_daemon.Url, _daemon.Token);
            await using var sb = await client.CreateSandboxAsync(new SandboxSpec());
            await sb.ExecAsync("sh", "-c", $"ln -s {hostDir}/secret.txt /workspace/link; ln -s {hostDir} /workspace/dirlink");
            using var http = Http();
            foreach (var path in new[] { "/workspace/../../etc/shadow", "/workspace/link", "/workspace/dirlink/secret.txt", "/workspace/dirlink/new.txt", "relative.txt" })
            {
                var encoded = Uri.EscapeDataString(path);
                using var get = await http.GetAsync(new Uri(_daemon.Url, $"/v1/sandboxes/{sb.Id}/files?path={encoded}"));
                Assert.True(get.StatusCode == HttpStatusCode.BadRequest, $"GET {path}: {(int)get.StatusCode}");
                Assert.Equal("application/problem+json", get.Content.Headers.ContentType?.MediaType);
                Assert.DoesNotContain("host secret", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);

                using var put = await http.PutAsync(new Uri(_daemon.Url, $"/v1/sandboxes/{sb.Id}/files?path={encoded}"), new StringContent("pwned"));
                Assert.True(put.StatusCode == HttpStatusCode.BadRequest, $"PUT {path}: {(int)put.StatusCode}");
            }

            Assert.Equal("host secret", await File.ReadAllTextAsync(Path.Combine(hostDir, "secret.txt")));
            Assert.Single(Directory.GetFiles(hostDir));
        }
        finally
        {
            Directory.Delete(hostDir, recursive: true);
        }
    }

    [Fact]
    public async Task Api_BadInput_Gets4xxProblemJson_NeverA500()
    {
        using var http = Http();
        var cases = new (HttpMethod Method, string Path, string? Body, HttpStatusCode Expected)[]
        {
            (HttpMethod.Post, "/v1/sandboxes", "{not json", HttpStatusCode.BadRequest),
            (HttpMethod.Post, "/v1/sandboxes", """{"memory":"lots"}""", HttpStatusCode.BadRequest),
            (HttpMethod.Post, "/v1/sandboxes", """{"pids":-4}""", HttpStatusCode.BadRequest),
            (HttpMethod.Post, "/v1/sandboxes", """{"image":"no-such-image"}""", HttpStatusCode.BadRequest),
            (HttpMethod.Post, "/v1/sandboxes", """{"cpus":"many"}""", HttpStatusCode.BadRequest),
            (HttpMethod.Get, "/v1/sandboxes/0123456789ab", null, HttpStatusCode.NotFound),
            (HttpMethod.Get, "/v1/sandboxes/..%2F..%2Fetc", null, HttpStatusCode.NotFound),
            (HttpMethod.Delete, "/v1/sandboxes/0123456789ab", null, HttpStatusCode.NotFound),
            (HttpMethod.Post, "/v1/sandboxes/0123456789ab/exec", """{"command":["true"]}""", HttpStatusCode.NotFound),
        };
        foreach (var (method, path, body, expected) in cases)
        {
            using var request = new HttpRequestMessage(method, new Uri(_daemon.Url, path));
            if (body is not null) request.Content = new StringContent(body, MediaTypeHeaderValue.Parse("application/json"));
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == expected, $"{method} {path} {body}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using var noToken = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await noToken.GetAsync(new Uri(_daemon.Url, "/v1/sandboxes"))).StatusCode);
        Assert.Empty(Directory.GetDirectories(Path.Combine(_data.Path, "sandboxes")));
    }

    [Fact]
    public async Task ForkBomb_DoesNotStopTheDaemonFromAnswering_NorTheSandboxsAgent()
    {
        using var client = new AirlockClient(_daemon.Url, _daemon.Token);
        // The container tier's promise: the agent keeps a task reserve of its own (gVisor's is in LimitTests).
        await using var sb = await client.CreateSandboxAsync(new SandboxSpec { Isolation = "container", Limits = new ResourceLimits { Pids = 64 } });
        // Forks until refused and keeps trying, so the limit stays full for the whole timeout.
        const string bombScript = "import os, time\nwhile True:\n  try:\n    if os.fork() == 0:\n      time.sleep(60); os._exit(0)\n  except OSError:\n    time.sleep(0.01)";
        var bomb = sb.ExecAsync(new ExecRequest { Command = ["python3", "-c", bombScript], Timeout = TimeSpan.FromSeconds(8) });
        await Task.Delay(2000);
        using var http = Http();
        var watch = Stopwatch.StartNew();
        using var list = await http.GetAsync(new Uri(_daemon.Url, "/v1/sandboxes"));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the daemon took {watch.Elapsed} to list sandboxes during a fork bomb");
        Assert.False(bomb.IsCompleted, "the bomb should still be running");

        // The user's 64 tasks are full, but the agent has its own reserve: file operations still work.
        await sb.Files.WriteAsync("/workspace/during-bomb.txt", "still here");
        Assert.Equal("still here", await sb.Files.ReadTextAsync("/workspace/during-bomb.txt"));

        var outcome = await bomb;
        Assert.Equal(124, outcome.ExitCode);
        Assert.Equal("alive\n", (await sb.ExecAsync("echo", "alive")).StdoutText);
    }

    [Theory]
    [MemberData(nameof(Tiers.All), MemberType = typeof(Tiers))]
    public async Task KillMinus9_WhileSandboxesRunAndOneIsBeingCreated_RestartTellsTheTruth_AndRmLeavesNothing(string tier)
    {
        using var client = new AirlockClient(_daemon.Url, _daemon.Token);
        var a = await client.CreateSandboxAsync(new SandboxSpec { Isolation = tier });
        var b = await client.CreateSandboxAsync(new SandboxSpec { Isolation = tier });
        await a.ExecAsync("sh", "-c", "echo kept > /workspace/marker");

        // Kill the daemon in the middle of a third create.
        var creating = client.CreateSandboxAsync(new SandboxSpec { Isolation = tier });
        await Task.Delay(150);
        await _daemon.KillHardAsync();
        // The create may have finished just before the kill; if it did, the sandbox was acknowledged and must survive.
        string? third = null;
        try
        {
            third = (await creating).Id;
        }
        catch (Exception e) when (e is HttpRequestException or AirlockException or IOException or TaskCanceledException)
        {
        }

        _daemon = new DaemonProcess(_data.Path);
        await _daemon.StartAsync();
        using var restarted = new AirlockClient(_daemon.Url, _daemon.Token);
        var listed = await restarted.Operations.ListAsync();
        var acknowledged = third is null ? new[] { a.Id, b.Id } : [a.Id, b.Id, third];
        // Every acknowledged sandbox survives. The interrupted create may also have finished on the daemon's side
        // with its answer lost in the kill: then it is one more complete, running sandbox, never a half-made one.
        Assert.Subset(listed.Select(s => s.Id).ToHashSet(), acknowledged.ToHashSet());
        Assert.InRange(listed.Count, acknowledged.Length, 3);
        Assert.All(listed, s => Assert.Equal(SandboxState.Running, s.State));
        var marker = await restarted.Operations.ExecStreamAsync(a.Id, new ExecRequest { Command = ["cat", "/workspace/marker"] }).OfType<ExecOutput>().FirstAsync();
        Assert.Equal("kept\n", System.Text.Encoding.UTF8.GetString(marker.Data.Span));

        foreach (var s in listed) await restarted.Operations.DeleteAsync(s.Id);
        Assert.Empty(await restarted.Operations.ListAsync());
        Assert.Empty(HostProbe.MountsUnder(_data.Path));
        Assert.Empty(HostProbe.LoopDevicesUnder(_data.Path));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_data.Path, "sandboxes")));
        foreach (var id in acknowledged.Append(third).OfType<string>())
        {
            Assert.Empty(HostProbe.TracesOf(_data.Path, id));
        }

        Assert.Empty(HostProbe.ProcessesWith(Path.Combine(_data.Path, "sandboxes")));
        Assert.Empty(HostProbe.ProcessesWith(Path.Combine(_data.Path, "microvm") + "/"));
    }

    [Fact]
    public async Task Ttl_TheDaemonsReaperDestroysAnExpiredSandbox()
    {
        using var client = new AirlockClient(_daemon.Url, _daemon.Token);
        var sandbox = await client.Operations.CreateAsync(new SandboxSpec { Ttl = TimeSpan.FromSeconds(2) });
        Assert.NotNull(sandbox.ExpiresAt);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline && (await client.Operations.ListAsync()).Any(s => s.Id == sandbox.Id))
        {
            await Task.Delay(250);
        }

        Assert.DoesNotContain(sandbox.Id, (await client.Operations.ListAsync()).Select(s => s.Id));
        Assert.Empty(HostProbe.TracesOf(_data.Path, sandbox.Id));
    }

    private HttpClient Http()
    {
        var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _daemon.Token);
        return http;
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
