using Airlock.Cli.Commands;
using Airlock.Cli.Infrastructure;

namespace Airlock.Server.Tests;

public sealed class CliParsingTests
{
    [Theory]
    [InlineData("--memory: 'lots' is not a size", "run", "--memory", "lots", "--", "true")]
    [InlineData("--timeout: 'soon' is not a duration", "run", "--timeout", "soon", "--", "true")]
    [InlineData("--cpus: '-1' is not a positive number", "create", "--cpus", "-1")]
    [InlineData("--pids: '0' is not a positive whole number", "create", "--pids", "0")]
    [InlineData("--env: 'FOO' is not KEY=VALUE", "run", "--env", "FOO", "--", "true")]
    [InlineData("put the command after '--'", "run", "echo", "hi")]
    [InlineData("no command after '--'", "run", "--")]
    [InlineData("put the command after '--'", "exec", "sb-1", "ls")]
    [InlineData("unrecognized flag or argument '--bogus'", "run", "--bogus", "--", "true")]
    [InlineData("unrecognized flag or argument 'extra'", "exec", "sb-1", "extra", "--", "true")]
    [InlineData("unrecognized command or argument '--bogus'", "ps", "--bogus")]
    [InlineData("sandbox paths must be absolute", "cp", "./a", "sb-1:relative/b")]
    [InlineData("--policy: policy file 'p.yaml' does not exist", "create", "--policy", "p.yaml")]
    [InlineData("not supported yet", "image", "import", "x.tar")]
    [InlineData("--isolation: 'chroot' is not a tier", "create", "--isolation", "chroot")]
    [InlineData("required argument missing", "rm")]
    public async Task BadCommandLine_PrintsOneLine_Exits2(string expected, params string[] args)
    {
        var (exit, io) = await CliHarness.RunAsync(args);
        Assert.Equal(2, exit);
        var lines = io.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("airlock: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Equal("", io.Stdout);
    }

    [Fact]
    public void Parse_SplitsCommandAtFirstSeparator()
    {
        var (parse, context) = Airlock.Cli.CliApp.Parse(["run", "--memory", "64m", "--", "sh", "-c", "echo --memory", "--"], new CliHarness().Console);
        Assert.Empty(parse.Errors);
        Assert.Equal(["sh", "-c", "echo --memory", "--"], context.Command);
    }

    [Theory]
    [InlineData("sb-1:/workspace/a", "sb-1", "/workspace/a")]
    [InlineData("./local:file", null, "./local:file")]
    [InlineData("/abs/path", null, "/abs/path")]
    [InlineData("dir/x:y", null, "dir/x:y")]
    public void CpLocation_TellsSandboxFromLocal(string text, string? id, string path)
    {
        var location = CpLocation.Parse(text);
        Assert.Equal(id, location.SandboxId);
        Assert.Equal(path, location.Path);
    }

    [Fact]
    public void CpLocation_RelativeSandboxPath_IsUsageError()
    {
        var e = Assert.Throws<UsageException>(() => CpLocation.Parse("sb-1:rel"));
        Assert.Contains("sandbox paths must be absolute", e.Message, StringComparison.Ordinal);
    }
}
