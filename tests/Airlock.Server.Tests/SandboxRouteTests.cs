using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Airlock.Server.Tests;

public sealed class SandboxRouteTests
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Create_WithSizeStringsAndTtl_Returns201CamelCaseInfo()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Http.PostAsync("/v1/sandboxes",
            Json("""{"image":"python","isolation":"container","cpus":0.5,"memory":"512m","pids":64,"disk":1073741824,"timeout":"10m","env":{"A":"1"},"labels":{"team":"x"}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        Assert.Equal("running", root.GetProperty("state").GetString());
        Assert.Equal("container", root.GetProperty("isolation").GetString());
        Assert.Equal(512L << 20, root.GetProperty("limits").GetProperty("memoryBytes").GetInt64());
        Assert.True(root.TryGetProperty("createdAt", out _));
        var spec = server.Engine.LastSpec!;
        Assert.Equal(TimeSpan.FromMinutes(10), spec.Ttl);
        Assert.Equal(64, spec.Limits.Pids);
        Assert.Equal(0.5, spec.Limits.Cpus);
        Assert.Equal("1", spec.Env["A"]);
    }

    [Theory]
    [InlineData("""{"policy":{"isolation":{"minimum":"gvisor"}}}""", "\"minimum\":\"gvisor\"")]
    [InlineData("""{"policy":"isolation: { minimum: gvisor }"}""", "minimum: gvisor")]
    public async Task Create_WithAPolicyObjectOrText_HandsTheDocumentToTheEngine(string body, string expected)
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Http.PostAsync("/v1/sandboxes", Json(body));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Contains(expected, server.Engine.LastSpec!.Policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithAPolicyThatIsNeitherObjectNorText_Is400()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Http.PostAsync("/v1/sandboxes", Json("""{"policy":5}"""));
        await ProblemAssert.IsProblemAsync(response, 400, "'policy'");
    }

    [Fact]
    public async Task Create_WithEmptyBody_UsesDefaults()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Http.PostAsync("/v1/sandboxes", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("python", server.Engine.LastSpec!.Image);
    }

    [Theory]
    [InlineData("""{"image":"python","memroy":"1g"}""", "memroy")]
    [InlineData("""{"memory":"lots"}""", "memory")]
    [InlineData("""{"memory":-5}""", "memory")]
    [InlineData("""{"cpus":0}""", "cpus")]
    [InlineData("""{"pids":"many"}""", "pids")]
    [InlineData("""{"timeout":"soon"}""", "timeout")]
    [InlineData("""{"isolation":"chroot"}""", "isolation")]
    [InlineData("""{"labels":{"a":1}}""", "labels.a")]
    [InlineData("""{"image":5}""", "image")]
    public async Task Create_WithBadField_Is400NamingTheField(string body, string field)
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Http.PostAsync("/v1/sandboxes", Json(body));
        await ProblemAssert.IsProblemAsync(response, 400, $"'{field}'");
    }

    [Theory]
    [InlineData("{\"image\": ")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    public async Task Create_WithMalformedJson_Is400Not500(string body)
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Http.PostAsync("/v1/sandboxes", Json(body));
        await ProblemAssert.IsProblemAsync(response, 400, "JSON");
    }

    [Fact]
    public async Task Create_WithHugeJsonBody_Is413()
    {
        await using var server = await ServerFixture.StartAsync();
        var big = "{\"labels\":{\"a\":\"" + new string('x', 2 << 20) + "\"}}";
        using var response = await server.Http.PostAsync("/v1/sandboxes", Json(big));
        await ProblemAssert.IsProblemAsync(response, 413, "larger than");
    }

    [Fact]
    public async Task Engine_InvalidArgument_Is400WithItsMessage()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Http.PostAsync("/v1/sandboxes", Json("""{"image":"missing"}"""));
        await ProblemAssert.IsProblemAsync(response, 400, "airlock image ls");
    }

    [Fact]
    public async Task Get_UnknownSandbox_Is404Problem()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Http.GetAsync("/v1/sandboxes/nope");
        await ProblemAssert.IsProblemAsync(response, 404, "nope");
    }

    [Fact]
    public async Task UnknownRoute_Is404Problem()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Http.GetAsync("/v1/nothing-here");
        await ProblemAssert.IsProblemAsync(response, 404, "no route");
    }

    [Fact]
    public async Task List_FiltersByEveryLabel()
    {
        await using var server = await ServerFixture.StartAsync();
        var ops = server.Client.Operations;
        var a = await ops.CreateAsync(new SandboxSpec { Labels = new Dictionary<string, string> { ["team"] = "x", ["env"] = "dev" } });
        await ops.CreateAsync(new SandboxSpec { Labels = new Dictionary<string, string> { ["team"] = "x" } });
        await ops.CreateAsync(new SandboxSpec { Labels = new Dictionary<string, string> { ["team"] = "y", ["env"] = "dev" } });

        using var response = await server.Http.GetAsync("/v1/sandboxes?label=team=x&label=env=dev");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var ids = doc.RootElement.GetProperty("sandboxes").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToList();
        Assert.Equal([a.Id], ids);

        var viaClient = await server.Client.ListSandboxesAsync(new Dictionary<string, string> { ["team"] = "x" });
        Assert.Equal(2, viaClient.Count);
        Assert.Equal(3, (await ops.ListAsync()).Count);
    }

    [Fact]
    public async Task PauseResumeDelete_ThroughClient()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var sandbox = await server.Client.CreateSandboxAsync(new SandboxSpec { Ttl = TimeSpan.FromSeconds(90) });
        Assert.Equal(TimeSpan.FromSeconds(90), server.Engine.LastSpec!.Ttl);
        Assert.Equal(SandboxState.Paused, (await sandbox.PauseAsync()).State);
        var conflict = await Assert.ThrowsAsync<AirlockException>(() => sandbox.PauseAsync());
        Assert.Equal(AirlockErrorKind.Conflict, conflict.Kind);
        Assert.Equal(SandboxState.Running, (await sandbox.ResumeAsync()).State);
        await sandbox.DeleteAsync();
        var gone = await Assert.ThrowsAsync<AirlockException>(() => server.Client.Operations.GetAsync(sandbox.Id));
        Assert.Equal(AirlockErrorKind.NotFound, gone.Kind);
    }

    [Fact]
    public async Task DisposingHandle_DestroysSandbox()
    {
        await using var server = await ServerFixture.StartAsync();
        string id;
        await using (var sandbox = await server.Client.CreateSandboxAsync())
        {
            id = sandbox.Id;
        }

        Assert.Empty(await server.Client.ListSandboxesAsync());
        using var response = await server.Http.DeleteAsync($"/v1/sandboxes/{id}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Processes_RoundTrip()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var sandbox = await server.Client.CreateSandboxAsync();
        var started = await sandbox.StartProcessAsync(new ExecRequest { Command = ["sleep", "9"] });
        Assert.Equal(42, started.Pid);
        Assert.Single(await sandbox.ListProcessesAsync());
        var output = await sandbox.GetProcessOutputAsync(42);
        Assert.Equal([1, 2, 3], output.Stdout);
        Assert.Equal(0, output.Process.ExitCode);
        await sandbox.SignalProcessAsync(42, 15);
        var e = await Assert.ThrowsAsync<AirlockException>(() => sandbox.SignalProcessAsync(7, 15));
        Assert.Equal(AirlockErrorKind.NotFound, e.Kind);

        using var bad = await server.Http.PostAsJsonAsync($"/v1/sandboxes/{sandbox.Id}/processes/42/signal", new { signal = 99 });
        await ProblemAssert.IsProblemAsync(bad, 400, "'signal'");
        using var badPid = await server.Http.GetAsync($"/v1/sandboxes/{sandbox.Id}/processes/abc");
        await ProblemAssert.IsProblemAsync(badPid, 400, "process id");
    }

    [Fact]
    public async Task Images_ListBuildRemove()
    {
        await using var server = await ServerFixture.StartAsync();
        Assert.Equal("python", Assert.Single(await server.Client.ListImagesAsync()).Name);
        var built = await server.Client.BuildImageAsync("tools", ["git", "curl"]);
        Assert.Equal(["git", "curl"], built.Packages);
        await server.Client.RemoveImageAsync("python");
        var e = await Assert.ThrowsAsync<AirlockException>(() => server.Client.RemoveImageAsync("nope"));
        Assert.Equal(AirlockErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task OpenApiDocument_IsServed_AndListsSandboxRoutes()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = doc.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/sandboxes", out _));
        Assert.True(paths.TryGetProperty("/v1/sandboxes/{id}/exec", out _));
        Assert.True(paths.TryGetProperty("/v1/sandboxes/{id}/files", out _));
    }
}
