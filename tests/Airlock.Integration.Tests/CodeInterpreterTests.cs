using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Airlock.Client;

namespace Airlock.Integration.Tests;

/// <summary>
/// The code interpreter end to end: a real daemon, a real runc sandbox of the default image, a real ipykernel inside
/// it, reached through the SDK (and so the REST API), the raw API for bad input, and the CLI embedded and with --host.
/// The shared sandbox runs the python-data image (matplotlib); the embedded CLI test checks the default image too.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class CodeInterpreterTests : IAsyncLifetime
{
    private readonly TempDataDir _data = new();
    private DaemonProcess _daemon = null!;
    private AirlockClient _client = null!;
    private Sandbox _sandbox = null!;

    public async Task InitializeAsync()
    {
        _daemon = new DaemonProcess(_data.Path);
        await _daemon.StartAsync();
        _client = new AirlockClient(_daemon.Url, _daemon.Token);
        _sandbox = await _client.CreateSandboxAsync(new SandboxSpec { Image = "python-data", Isolation = "container", Ttl = TimeSpan.FromMinutes(20) });
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        _client.Dispose();
        await _daemon.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task RunCode_KeepsVariablesAndImportsBetweenCells()
    {
        var first = await _sandbox.RunCodeAsync("x = 21\nimport math");
        Assert.Null(first.Error);
        Assert.Null(first.Text);

        var second = await _sandbox.RunCodeAsync("x * 2");
        Assert.Null(second.Error);
        Assert.Equal("42", second.Text);
        Assert.True(second.ExecutionCount > first.ExecutionCount, $"execution count should grow: {first.ExecutionCount} then {second.ExecutionCount}");

        var third = await _sandbox.RunCodeAsync("print(math.sqrt(x + 4)); import sys; print('warn', file=sys.stderr)");
        Assert.Equal("5.0\n", third.Stdout);
        Assert.Equal("warn\n", third.Stderr);
    }

    [Fact]
    public async Task RunCode_MatplotlibPlot_ReturnsADecodablePng()
    {
        var result = await _sandbox.RunCodeAsync("import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [4, 1, 9])\nplt.show()", TimeSpan.FromMinutes(2));
        Assert.Null(result.Error);
        var png = Convert.FromBase64String(Assert.Single(result.Outputs, o => o.Data.ContainsKey("image/png")).Data["image/png"]);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        Assert.True(BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)) > 0, "PNG width");
        Assert.True(BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)) > 0, "PNG height");
    }

    [Fact]
    public async Task RunCode_DivisionByZero_ReportsTheErrorWithAPlainTraceback()
    {
        var result = await _sandbox.RunCodeAsync("1/0");
        var error = Assert.IsType<CodeError>(result.Error);
        Assert.Equal("ZeroDivisionError", error.Name);
        Assert.Contains("division by zero", error.Value, StringComparison.Ordinal);
        Assert.NotEmpty(error.Traceback);
        Assert.Contains(error.Traceback, line => line.Contains("ZeroDivisionError", StringComparison.Ordinal));
        Assert.DoesNotContain(error.Traceback, line => line.Contains('\u001b', StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunCode_InfiniteLoop_IsInterruptedAtItsTimeout_AndTheKernelKeepsItsState()
    {
        await _sandbox.RunCodeAsync("kept = 'still here'");
        var looped = await _sandbox.RunCodeAsync("while True: pass", TimeSpan.FromSeconds(3));
        var error = Assert.IsType<CodeError>(looped.Error);
        Assert.Equal("TimeoutError", error.Name);
        Assert.Contains("interrupted", error.Value, StringComparison.Ordinal);

        Assert.Equal("2", (await _sandbox.RunCodeAsync("1+1")).Text);
        Assert.Equal("'still here'", (await _sandbox.RunCodeAsync("kept")).Text);
    }

    [Fact]
    public async Task InterruptCode_StopsARunningCell()
    {
        var running = _sandbox.RunCodeAsync("import time\nfor _ in range(600): time.sleep(0.1)", TimeSpan.FromMinutes(5));
        // Interrupting before the cell started is harmless; keep asking until the cell has stopped.
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(1)));
            if (!running.IsCompleted) await _sandbox.InterruptCodeAsync();
        }

        var error = Assert.IsType<CodeError>((await running).Error);
        Assert.Equal("KeyboardInterrupt", error.Name);
        Assert.Equal("3", (await _sandbox.RunCodeAsync("1+2")).Text);
    }

    [Fact]
    public async Task RestartCode_ForgetsVariables()
    {
        await _sandbox.RunCodeAsync("forgotten = 1");
        await _sandbox.RestartCodeAsync();
        var result = await _sandbox.RunCodeAsync("forgotten");
        Assert.Equal("NameError", result.Error?.Name);
    }

    [Fact]
    public async Task RunCode_RichOutputs_HtmlFromPandas_AndJson()
    {
        var html = await _sandbox.RunCodeAsync("import pandas as pd\npd.DataFrame({'a': [1, 2], 'b': [3, 4]})");
        Assert.Null(html.Error);
        var table = Assert.Single(html.Outputs, o => o.Kind == "execute_result");
        Assert.Contains("<table", table.Data["text/html"], StringComparison.Ordinal);
        Assert.Contains("a", html.Text, StringComparison.Ordinal);

        var json = await _sandbox.RunCodeAsync("from IPython.display import JSON, display\ndisplay(JSON({'answer': 42, 'items': [1, 2]}))");
        Assert.Null(json.Error);
        var shown = Assert.Single(json.Outputs, o => o.Kind == "display_data");
        using var document = JsonDocument.Parse(shown.Data["application/json"]);
        Assert.Equal(42, document.RootElement.GetProperty("answer").GetInt32());
    }

    [Fact]
    public async Task Api_BadInput_IsA4xxProblemWithAClearMessage()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _daemon.Token);
        async Task<(HttpStatusCode Status, string Detail)> PostAsync(string sandbox, string body)
        {
            using var response = await http.PostAsync(new Uri(_daemon.Url, $"/v1/sandboxes/{sandbox}/code"), new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return (response.StatusCode, JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!);
        }

        var empty = await PostAsync(_sandbox.Id, """{"code": "  "}""");
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Contains("'code'", empty.Detail, StringComparison.Ordinal);

        var language = await PostAsync(_sandbox.Id, """{"code": "1", "language": "cobol"}""");
        Assert.Equal(HttpStatusCode.BadRequest, language.Status);
        Assert.Contains("unknown language 'cobol'", language.Detail, StringComparison.Ordinal);

        var unknown = await PostAsync("sb-doesnotexist", """{"code": "1"}""");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Contains("sb-doesnotexist", unknown.Detail, StringComparison.Ordinal);

        var timeout = await PostAsync(_sandbox.Id, """{"code": "1", "timeout": "2h"}""");
        Assert.Equal(HttpStatusCode.BadRequest, timeout.Status);
        Assert.Contains("'timeout'", timeout.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_WithHost_PrintsValuesAndTracebacks_SavesImages_AndExitsOneWhenTheCellRaised()
    {
        var env = new Dictionary<string, string> { ["AIRLOCK_HOST"] = _daemon.Url.ToString(), ["AIRLOCK_TOKEN"] = _daemon.Token };
        var limit = TimeSpan.FromMinutes(3);
        var set = await Cli.RunAsync(_data.Path, ["code", _sandbox.Id, "-c", "y = 20"], env, limit);
        Assert.True(set.ExitCode == 0, set.ToString());
        var value = await Cli.RunAsync(_data.Path, ["code", _sandbox.Id, "-"], env, limit, stdin: "print('side')\ny + 22\n");
        Assert.True(value.ExitCode == 0, value.ToString());
        Assert.Equal("side\n42\n", value.Stdout);

        var raised = await Cli.RunAsync(_data.Path, ["code", _sandbox.Id, "-c", "1/0"], env, limit);
        Assert.True(raised.ExitCode == 1, raised.ToString());
        Assert.Contains("ZeroDivisionError", raised.Stderr, StringComparison.Ordinal);

        var images = Directory.CreateTempSubdirectory("airlock-code-images-");
        try
        {
            var script = Path.Combine(images.FullName, "plot.py");
            await File.WriteAllTextAsync(script, "import matplotlib.pyplot as plt\nplt.bar([1, 2], [3, 4])\nplt.show()\n");
            var plotted = await Cli.RunAsync(_data.Path, ["code", _sandbox.Id, script, "--save-images", images.FullName, "--json"], env, limit);
            Assert.True(plotted.ExitCode == 0, plotted.ToString());
            var png = Assert.Single(Directory.GetFiles(images.FullName, "*.png"));
            Assert.Equal((byte)'P', (await File.ReadAllBytesAsync(png))[1]);
            Assert.Contains("\"image/png\"", plotted.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            images.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Cli_Embedded_RunsCode_AndRefusesBadInputWithExitTwo()
    {
        // Without --host the CLI runs the engine itself over the same data directory as the daemon.
        var limit = TimeSpan.FromMinutes(3);
        var result = await Cli.RunAsync(_data.Path, ["code", _sandbox.Id, "-c", "sum(range(7))"], null, limit);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("21\n", result.Stdout);

        // The default image has the kernel too (without matplotlib): what MCP's run_code uses when it creates a sandbox.
        var created = await Cli.RunAsync(_data.Path, ["create", "--isolation", "container", "--timeout", "10m"], null, limit);
        Assert.True(created.ExitCode == 0, created.ToString());
        var plain = created.Stdout.Trim();
        try
        {
            Assert.True((await Cli.RunAsync(_data.Path, ["code", plain, "-c", "x = 21"], null, limit)).ExitCode == 0);
            var answer = await Cli.RunAsync(_data.Path, ["code", plain, "-c", "x * 2"], null, limit);
            Assert.True(answer.ExitCode == 0, answer.ToString());
            Assert.Equal("42\n", answer.Stdout);
        }
        finally
        {
            await Cli.RunAsync(_data.Path, "rm", plain);
        }

        var none = await Cli.RunAsync(_data.Path, ["code", _sandbox.Id], null, limit);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("no code", none.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", none.Stderr, StringComparison.Ordinal);

        var unknown = await Cli.RunAsync(_data.Path, ["code", "sb-doesnotexist", "-c", "1"], null, limit);
        Assert.Equal(2, unknown.ExitCode);
        Assert.DoesNotContain("   at ", unknown.Stderr, StringComparison.Ordinal);
    }
}
