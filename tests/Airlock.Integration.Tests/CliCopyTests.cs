using System.Security.Cryptography;

namespace Airlock.Integration.Tests;

/// <summary><c>airlock cp</c> both ways, and the escapes it must refuse.</summary>
[Collection(SandboxCollection.Name)]
public sealed class CliCopyTests(SharedSandboxFixture sandbox) : IClassFixture<SharedSandboxFixture>, IDisposable
{
    private readonly string _local = Directory.CreateTempSubdirectory("airlock-cp-").FullName;

    [Fact]
    public async Task Copy_A50MegabyteFile_RoundTripsByteExact()
    {
        var source = Path.Combine(_local, "big.bin");
        var bytes = RandomNumberGenerator.GetBytes(50 << 20);
        await File.WriteAllBytesAsync(source, bytes);
        var up = await Cli.RunAsync(sandbox.DataDir, "cp", source, $"{sandbox.Id}:/workspace/big.bin");
        Assert.True(up.ExitCode == 0, up.ToString());
        var sum = await sandbox.ExecAsync("sha256sum", "/workspace/big.bin");
        Assert.StartsWith(Convert.ToHexStringLower(SHA256.HashData(bytes)), sum.Stdout, StringComparison.Ordinal);

        var back = Path.Combine(_local, "back.bin");
        var down = await Cli.RunAsync(sandbox.DataDir, "cp", $"{sandbox.Id}:/workspace/big.bin", back);
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await File.ReadAllBytesAsync(back)));
    }

    [Fact]
    public async Task Copy_ADirectoryTree_BothWays()
    {
        Directory.CreateDirectory(Path.Combine(_local, "tree", "sub"));
        await File.WriteAllTextAsync(Path.Combine(_local, "tree", "a.txt"), "a");
        await File.WriteAllTextAsync(Path.Combine(_local, "tree", "sub", "b.txt"), "b");
        var up = await Cli.RunAsync(sandbox.DataDir, "cp", Path.Combine(_local, "tree"), $"{sandbox.Id}:/workspace/tree");
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Equal("b", (await sandbox.ExecAsync("cat", "/workspace/tree/sub/b.txt")).Stdout);

        var down = await Cli.RunAsync(sandbox.DataDir, "cp", $"{sandbox.Id}:/workspace/tree", Path.Combine(_local, "copy"));
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Equal("a", await File.ReadAllTextAsync(Path.Combine(_local, "copy", "a.txt")));
        Assert.Equal("b", await File.ReadAllTextAsync(Path.Combine(_local, "copy", "sub", "b.txt")));
    }

    [Theory]
    [InlineData("/workspace/../../etc/passwd")]
    [InlineData("/../etc/passwd")]
    [InlineData("workspace/relative")]
    public async Task Copy_OutOfTheSandbox_WithTraversal_IsRefused(string path)
    {
        var target = Path.Combine(_local, "out");
        var result = await Cli.RunAsync(sandbox.DataDir, "cp", $"{sandbox.Id}:{path}", target);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Copy_ThroughASymlinkThatPointsOutside_IsRefusedOnReadAndWrite()
    {
        var hostDir = Directory.CreateTempSubdirectory("airlock-victim-").FullName;
        var hostFile = Path.Combine(hostDir, "secret.txt");
        await File.WriteAllTextAsync(hostFile, "host secret");
        try
        {
            await sandbox.ExecAsync("sh", "-c", $"ln -sfn {hostFile} /workspace/abs-link; ln -sfn ../../../../../../{hostDir.TrimStart('/')} /workspace/rel-link; ln -sfn {hostDir} /workspace/abs-dir");

            foreach (var link in new[] { "/workspace/abs-link", $"/workspace/rel-link/secret.txt", $"/workspace/abs-dir/secret.txt" })
            {
                var target = Path.Combine(_local, "stolen");
                var read = await Cli.RunAsync(sandbox.DataDir, "cp", $"{sandbox.Id}:{link}", target);
                Assert.True(read.ExitCode == 2, $"read {link}: {read}");
                Assert.False(File.Exists(target) && File.ReadAllText(target).Contains("host secret", StringComparison.Ordinal));

                var payload = Path.Combine(_local, "payload.txt");
                await File.WriteAllTextAsync(payload, "overwritten");
                var write = await Cli.RunAsync(sandbox.DataDir, "cp", payload, $"{sandbox.Id}:{link}");
                Assert.True(write.ExitCode == 2, $"write {link}: {write}");
            }

            Assert.Equal("host secret", await File.ReadAllTextAsync(hostFile));
            Assert.Equal(["secret.txt"], Directory.GetFiles(hostDir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(hostDir, recursive: true);
        }
    }

    public void Dispose() => Directory.Delete(_local, recursive: true);
}
