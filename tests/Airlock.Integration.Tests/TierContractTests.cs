using System.Security.Cryptography;

namespace Airlock.Integration.Tests;

/// <summary>
/// The core's contract on every tier, one sandbox per tier (a microVM boot under TCG takes seconds): exec exit
/// codes and separate streams, files byte-exact both ways, escapes refused, bad input answered, posture
/// reported, nothing left after rm.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class TierContractTests : IDisposable
{
    private readonly TempDataDir _data = new();
    private readonly string _local = Directory.CreateTempSubdirectory("airlock-tier-").FullName;

    [Theory]
    [MemberData(nameof(Tiers.All), MemberType = typeof(Tiers))]
    public async Task ExecFilesEscapesBadInputAndPosture_HoldOnEveryTier(string tier)
    {
        var created = await Cli.RunAsync(_data.Path, ["create", "--isolation", tier], null, TimeSpan.FromMinutes(3));
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Stdout.Trim();
        try
        {
            var exec = await Cli.RunAsync(_data.Path, "exec", id, "--", "sh", "-c", "echo out; echo err >&2; exit 7");
            Assert.Equal(7, exec.ExitCode);
            Assert.Equal("out\n", exec.Stdout);
            Assert.Contains("err\n", exec.Stderr, StringComparison.Ordinal);
            // The standard /dev links every tier's programs may name (the microVM's /init makes them as runc does).
            var devLinks = await Cli.RunAsync(_data.Path, "exec", id, "--", "sh", "-c", "echo in | cat /dev/stdin; echo out > /dev/stdout; echo err > /dev/stderr");
            Assert.True(devLinks.ExitCode == 0, devLinks.ToString());
            Assert.Equal("in\nout\n", devLinks.Stdout);
            Assert.Equal("err\n", devLinks.Stderr);

            var bytes = RandomNumberGenerator.GetBytes(5 << 20);
            var source = Path.Combine(_local, $"{tier}.bin");
            await File.WriteAllBytesAsync(source, bytes);
            var up = await Cli.RunAsync(_data.Path, "cp", source, $"{id}:/workspace/data.bin");
            Assert.True(up.ExitCode == 0, up.ToString());
            var sum = await Cli.RunAsync(_data.Path, "exec", id, "--", "sha256sum", "/workspace/data.bin");
            Assert.StartsWith(Convert.ToHexStringLower(SHA256.HashData(bytes)), sum.Stdout, StringComparison.Ordinal);
            var back = Path.Combine(_local, $"{tier}.back");
            var down = await Cli.RunAsync(_data.Path, "cp", $"{id}:/workspace/data.bin", back);
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await File.ReadAllBytesAsync(back)));

            // A symlink made inside that points at an absolute path: never followed, on read or write.
            await Cli.RunAsync(_data.Path, "exec", id, "--", "ln", "-s", "/etc", "/workspace/out");
            var escapeRead = await Cli.RunAsync(_data.Path, "cp", $"{id}:/workspace/out/passwd", Path.Combine(_local, "passwd"));
            Assert.True(escapeRead.ExitCode == 2, escapeRead.ToString());
            Assert.False(File.Exists(Path.Combine(_local, "passwd")));
            var escapeWrite = await Cli.RunAsync(_data.Path, "cp", source, $"{id}:/workspace/out/planted");
            Assert.True(escapeWrite.ExitCode == 2, escapeWrite.ToString());
            Assert.False(File.Exists("/etc/planted"));
            var traversal = await Cli.RunAsync(_data.Path, "cp", $"{id}:/workspace/../../etc/shadow", Path.Combine(_local, "shadow"));
            Assert.Equal(2, traversal.ExitCode);

            var missing = await Cli.RunAsync(_data.Path, "exec", id, "--", "no-such-program");
            Assert.Equal(127, missing.ExitCode);
            Assert.Contains("no-such-program", missing.Stderr, StringComparison.Ordinal);
            var badFlag = await Cli.RunAsync(_data.Path, "exec", "--timeout", "soon", id, "--", "true");
            Assert.Equal(2, badFlag.ExitCode);

            var inspect = await Cli.RunAsync(_data.Path, "inspect", "--json", id);
            Assert.True(inspect.ExitCode == 0, inspect.ToString());
            using var posture = System.Text.Json.JsonDocument.Parse(inspect.Stdout);
            Assert.Equal(tier, posture.RootElement.GetProperty("isolation").GetString());
            Assert.False(string.IsNullOrEmpty(posture.RootElement.GetProperty("kernelInside").GetString()));
        }
        finally
        {
            var rm = await Cli.RunAsync(_data.Path, "rm", id);
            Assert.True(rm.ExitCode == 0, rm.ToString());
        }

        Assert.Empty(HostProbe.TracesOf(_data.Path, id));
    }

    public void Dispose()
    {
        _data.Dispose();
        Directory.Delete(_local, recursive: true);
    }
}
