using System.Security.Cryptography;

namespace Airlock.Server.Tests;

/// <summary><c>airlock artifact</c> through a daemon (--host) and on a data directory (embedded).</summary>
public sealed class ArtifactCliTests
{
    [Fact]
    public async Task PutGetLsRm_ThroughTheDaemon_ByteExact()
    {
        await using var server = await ServerFixture.StartAsync();
        var data = Path.GetDirectoryName(server.TokenPath)!;
        var source = Path.Combine(data, "input.bin");
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        await File.WriteAllBytesAsync(source, bytes);
        string[] remote = ["--host", server.Address.ToString(), "--data", data];

        var (exit, io) = await CliHarness.RunAsync([.. remote, "artifact", "put", source, "--type", "application/x-test"]);
        Assert.Equal(0, exit);
        var digest = io.Stdout.Trim();
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), digest);

        var target = Path.Combine(data, "output.bin");
        (exit, _) = await CliHarness.RunAsync([.. remote, "artifact", "get", digest, "-o", target]);
        Assert.Equal(0, exit);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target));

        (exit, io) = await CliHarness.RunAsync([.. remote, "artifact", "ls"]);
        Assert.Equal(0, exit);
        Assert.Contains(digest, io.Stdout, StringComparison.Ordinal);
        Assert.Contains("input.bin", io.Stdout, StringComparison.Ordinal);

        (exit, _) = await CliHarness.RunAsync([.. remote, "artifact", "rm", digest]);
        Assert.Equal(0, exit);
        Assert.Empty(await server.Client.Artifacts.ListAsync());
    }

    [Fact]
    public async Task Get_Embedded_TamperedContent_ExitsTwo_AndWritesNoFile()
    {
        var data = Path.Combine(Path.GetTempPath(), "airlock-artifact-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exit, io) = await CliHarness.RunAsync("--data", data, "artifact", "put", "-", "--name", "stdin");
            Assert.Equal(0, exit);
            var digest = io.Stdout.Trim();
            (exit, io) = await CliHarness.RunAsync("--data", data, "artifact", "get", digest);
            Assert.Equal(0, exit);
            Assert.Equal("stdin-bytes", io.Stdout);

            var content = Path.Combine(data, "artifacts", "sha256", digest["sha256:".Length..]);
            File.SetUnixFileMode(content, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await File.WriteAllTextAsync(content, "other-bytes");
            var target = Path.Combine(data, "out");
            (exit, io) = await CliHarness.RunAsync("--data", data, "artifact", "get", digest, "-o", target);
            Assert.Equal(2, exit);
            Assert.Contains($"artifact {digest} failed verification: its content hashes to sha256:", io.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(target));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
