using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Airlock.Server.Tests;

public sealed class ExecRouteTests
{
    [Fact]
    public async Task Exec_StreamsNdjsonInOrder_ThenExit()
    {
        await using var server = await ServerFixture.StartAsync();
        var sandbox = await server.Client.Operations.CreateAsync(new SandboxSpec());
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/sandboxes/{sandbox.Id}/exec")
        {
            Content = JsonContent.Create(new { command = new[] { "script", "out:a", "err:b", "out:c", "exit:7" } }),
        };
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("""{"type":"stdout","data":"YQ=="}""", lines[0]);
        Assert.Equal("""{"type":"stderr","data":"Yg=="}""", lines[1]);
        Assert.Equal("""{"type":"stdout","data":"Yw=="}""", lines[2]);
        Assert.Equal("""{"type":"exit","exitCode":7,"signal":null,"killedBy":null,"durationMs":12}""", lines[3]);
    }

    [Fact]
    public async Task Exec_FirstChunkArrives_BeforeCommandEnds()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var sandbox = await server.Client.CreateSandboxAsync();
        await using var events = sandbox.ExecStreamAsync(new ExecRequest { Command = ["script", "out:early", "wait", "out:late", "exit:0"] }).GetAsyncEnumerator();

        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        var first = Assert.IsType<ExecOutput>(events.Current);
        Assert.Equal("early", Encoding.UTF8.GetString(first.Data.Span));

        server.Engine.Release(); // only now may the command go on
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("late", Encoding.UTF8.GetString(Assert.IsType<ExecOutput>(events.Current).Data.Span));
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(0, Assert.IsType<ExecExited>(events.Current).Result.ExitCode);
        Assert.False(await events.MoveNextAsync());
    }

    [Fact]
    public async Task ExecAsync_CollectsOutput_AndKilledBy()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var sandbox = await server.Client.CreateSandboxAsync();
        var outcome = await sandbox.ExecAsync("script", "out:hello ", "err:oops", "out:world", "exit:3");
        Assert.Equal(3, outcome.ExitCode);
        Assert.Equal("hello world", outcome.StdoutText);
        Assert.Equal("oops", outcome.StderrText);

        var killed = await sandbox.ExecAsync("script", "killed:memory");
        Assert.Equal(137, killed.ExitCode);
        Assert.Equal("memory", killed.Result.KilledBy);
        Assert.Equal(9, killed.Result.Signal);
    }

    [Fact]
    public async Task Exec_PassesStdinEnvCwdTimeout()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var sandbox = await server.Client.CreateSandboxAsync();
        await sandbox.ExecAsync(new ExecRequest
        {
            Command = ["script", "exit:0"],
            Env = new Dictionary<string, string> { ["K"] = "V" },
            Cwd = "/tmp",
            Timeout = TimeSpan.FromMilliseconds(1500),
            Stdin = new MemoryStream([1, 2, 3]),
        });
        var seen = server.Engine.LastExec!;
        Assert.Equal("V", seen.Env["K"]);
        Assert.Equal("/tmp", seen.Cwd);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), seen.Timeout);
        Assert.Equal([1, 2, 3], server.Engine.LastStdin);
    }

    [Fact]
    public async Task Exec_UnknownSandbox_Is404ProblemNotStream()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Http.PostAsJsonAsync("/v1/sandboxes/nope/exec", new { command = new[] { "true" } });
        await ProblemAssert.IsProblemAsync(response, 404, "nope");

        var e = await Assert.ThrowsAsync<AirlockException>(async () =>
        {
            await foreach (var _ in server.Client.Operations.ExecStreamAsync("nope", new ExecRequest { Command = ["true"] }))
            {
            }
        });
        Assert.Equal(AirlockErrorKind.NotFound, e.Kind);
    }

    [Theory]
    [InlineData("""{"command":[]}""", "'command'")]
    [InlineData("""{"command":"ls"}""", "'command'")]
    [InlineData("""{"command":["ls"],"timeout":-1}""", "'timeout'")]
    [InlineData("""{"command":["ls"],"stdin":"***"}""", "'stdin'")]
    [InlineData("""{"command":["ls"],"shell":true}""", "'shell'")]
    public async Task Exec_BadBody_Is400NamingField(string body, string field)
    {
        await using var server = await ServerFixture.StartAsync();
        var sandbox = await server.Client.Operations.CreateAsync(new SandboxSpec());
        using var response = await server.Http.PostAsync($"/v1/sandboxes/{sandbox.Id}/exec", new StringContent(body, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblemAsync(response, 400, field);
    }

    [Fact]
    public async Task Exec_FailureAfterStreamStarted_SurfacesAsAirlockException()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var sandbox = await server.Client.CreateSandboxAsync();
        var e = await Assert.ThrowsAsync<AirlockException>(() => sandbox.ExecAsync("script", "out:x", "fail"));
        Assert.Equal(AirlockErrorKind.Unavailable, e.Kind);
        Assert.Contains("guest agent", e.Message);
    }

    [Fact]
    public async Task Exec_LastLine_IsExitObject()
    {
        await using var server = await ServerFixture.StartAsync();
        var sandbox = await server.Client.Operations.CreateAsync(new SandboxSpec());
        using var response = await server.Http.PostAsJsonAsync($"/v1/sandboxes/{sandbox.Id}/exec", new { command = new[] { "script", "killed:timeout" } });
        var last = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        using var doc = JsonDocument.Parse(last);
        Assert.Equal("exit", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal("timeout", doc.RootElement.GetProperty("killedBy").GetString());
    }
}
