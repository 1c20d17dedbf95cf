using System.Text;
using Airlock.Cli;
using Airlock.Cli.Infrastructure;

namespace Airlock.Server.Tests;

/// <summary>Runs the airlock CLI in-process with captured streams (memory only: nothing to dispose).</summary>
#pragma warning disable CA1001
internal sealed class CliHarness
{
    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();
    private readonly StringWriter _outText = new();
    private readonly StringWriter _errText = new();

    public string Stdout => Encoding.UTF8.GetString(_stdout.ToArray()) + _outText;

    public string Stderr => Encoding.UTF8.GetString(_stderr.ToArray()) + _errText;

    public CliConsole Console => new()
    {
        Input = new MemoryStream(Encoding.UTF8.GetBytes("stdin-bytes")),
        OutputStream = _stdout,
        Output = _outText,
        ErrorStream = _stderr,
        Error = _errText,
    };

    public static async Task<(int Exit, CliHarness Io)> RunAsync(params string[] args)
    {
        var io = new CliHarness();
        var exit = await CliApp.RunAsync(args, io.Console);
        return (exit, io);
    }
}
