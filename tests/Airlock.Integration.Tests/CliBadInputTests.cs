namespace Airlock.Integration.Tests;

[Collection(SandboxCollection.Name)]
public sealed class CliBadInputTests : IDisposable
{
    private readonly TempDataDir _data = new();

    [Theory]
    [InlineData("run", "--memory", "lots", "--", "true")]
    [InlineData("run", "--memory", "-5m", "--", "true")]
    [InlineData("run", "--timeout", "soon", "--", "true")]
    [InlineData("run", "--pids", "-1", "--", "true")]
    [InlineData("run", "--cpus", "abc", "--", "true")]
    [InlineData("run", "--disk", "0", "--", "true")]
    [InlineData("run", "--env", "NOEQUALS", "--", "true")]
    [InlineData("run", "--isolation", "kvm", "--", "true")]
    [InlineData("run", "--no-such-flag", "--", "true")]
    [InlineData("run", "--image", "no-such-image", "--", "true")]
    [InlineData("exec", "0123456789ab", "--", "true")]
    [InlineData("rm", "0123456789ab")]
    [InlineData("cp", "0123456789ab:/etc/passwd", "/tmp/airlock-never-written")]
    public async Task BadInput_ExitsTwoWithOneClearLine_AndCreatesNothing(params string[] args)
    {
        var result = await Cli.RunAsync(_data.Path, args);
        Assert.True(result.ExitCode == 2, result.ToString());
        var lines = result.Stderr.Trim().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("airlock: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        Assert.False(File.Exists("/tmp/airlock-never-written"));
        Assert.Empty(HostProbe.MountsUnder(_data.Path));
    }

    public void Dispose() => _data.Dispose();
}
