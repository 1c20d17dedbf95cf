using System.Diagnostics;
using System.Security.Cryptography;

namespace Airlock.Guest.Tests;

public abstract class FileCases
{
    private readonly AgentFixture _agent;

    protected FileCases(AgentFixture agent)
    {
        _agent = agent;
    }

    [Fact]
    public async Task WriteThenRead_A50MegabyteFile_RoundTripsByteExactAndFast()
    {
        byte[] data = new byte[50 * 1024 * 1024];
        Random.Shared.NextBytes(data);
        var clock = Stopwatch.StartNew();

        FileEntry written = await _agent.Client.WriteFileAsync("/workspace/big.bin", new MemoryStream(data));
        byte[] back;
        await using (Stream read = await _agent.Client.ReadFileAsync("/workspace/big.bin"))
        {
            using var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            back = copy.ToArray();
        }

        clock.Stop();
        Assert.Equal(data.Length, written.Size);
        Assert.Equal(FileKind.File, written.Kind);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(back));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"50 MB round trip took {clock.Elapsed}");
    }

    [Fact]
    public async Task Write_WithMode_SetsPermissionBitsAndTruncatesExistingContent()
    {
        await _agent.Client.WriteFileAsync("/workspace/script.sh", new MemoryStream("a long first version"u8.ToArray()));
        FileEntry entry = await _agent.Client.WriteFileAsync("/workspace/script.sh", new MemoryStream("#!/bin/sh\n"u8.ToArray()), mode: 0x1ED);
        Assert.Equal(0x1ED, entry.Mode);
        Assert.Equal("#!/bin/sh\n", await File.ReadAllTextAsync(_agent.HostPath("/workspace/script.sh")));
    }

    [Fact]
    public async Task Write_WhenParentMissing_IsNotFound()
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.WriteFileAsync("/no/such/dir/file", new MemoryStream([1])));
        Assert.Equal(AirlockErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task Read_WhenMissing_IsNotFound_AndDirectoryIsInvalid()
    {
        var missing = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.ReadFileAsync("/workspace/missing.txt"));
        var directory = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.ReadFileAsync("/workspace"));
        Assert.Equal(AirlockErrorKind.NotFound, missing.Kind);
        Assert.Equal(AirlockErrorKind.InvalidArgument, directory.Kind);
    }

    [Fact]
    public async Task Read_ThroughAnInTreeRelativeSymlink_Works()
    {
        Directory.CreateDirectory(_agent.HostPath("/usr/bin"));
        await File.WriteAllTextAsync(_agent.HostPath("/usr/bin/tool"), "tool");
        if (!Path.Exists(_agent.HostPath("/bin")))
        {
            File.CreateSymbolicLink(_agent.HostPath("/bin"), "usr/bin");
        }

        await using Stream read = await _agent.Client.ReadFileAsync("/bin/tool");
        Assert.Equal("tool", await new StreamReader(read).ReadToEndAsync());
    }

    [Fact]
    public async Task MkdirListStatRemove_WorkTogether()
    {
        FileEntry dir = await _agent.Client.MakeDirectoryAsync("/workspace/tree/a/b", parents: true);
        await _agent.Client.WriteFileAsync("/workspace/tree/a/file.txt", new MemoryStream("12345"u8.ToArray()));
        File.CreateSymbolicLink(_agent.HostPath("/workspace/tree/a/link"), "file.txt");

        var list = await _agent.Client.ListFilesAsync("/workspace/tree/a");
        FileEntry stat = await _agent.Client.StatAsync("/workspace/tree/a/link");

        Assert.Equal(FileKind.Directory, dir.Kind);
        Assert.Equal("/workspace/tree/a/b", dir.Path);
        Assert.Equal(["b", "file.txt", "link"], list.Select(e => e.Name));
        Assert.Equal([FileKind.Directory, FileKind.File, FileKind.Symlink], list.Select(e => e.Kind));
        Assert.Equal(5, list[1].Size);
        Assert.Equal("/workspace/tree/a/file.txt", list[1].Path);
        Assert.Equal(FileKind.Symlink, stat.Kind);
        Assert.Equal("file.txt", stat.LinkTarget);

        var notEmpty = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.RemoveAsync("/workspace/tree", recursive: false));
        Assert.Equal(AirlockErrorKind.Conflict, notEmpty.Kind);
        await _agent.Client.RemoveAsync("/workspace/tree/a/link", recursive: false);
        Assert.True(File.Exists(_agent.HostPath("/workspace/tree/a/file.txt")));
        await _agent.Client.RemoveAsync("/workspace/tree", recursive: true);
        Assert.False(Directory.Exists(_agent.HostPath("/workspace/tree")));
    }

    [Fact]
    public async Task Mkdir_WithoutParents_WhenParentMissing_IsNotFound_AndWhenExisting_IsConflict()
    {
        var missing = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.MakeDirectoryAsync("/workspace/x/y/z", parents: false));
        await _agent.Client.MakeDirectoryAsync("/workspace/once", parents: false);
        var again = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.MakeDirectoryAsync("/workspace/once", parents: false));
        await _agent.Client.MakeDirectoryAsync("/workspace/once", parents: true); // mkdir -p is idempotent
        Assert.Equal(AirlockErrorKind.NotFound, missing.Kind);
        Assert.Equal(AirlockErrorKind.Conflict, again.Kind);
    }

    [Fact]
    public async Task Remove_TheRoot_IsRefused()
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.RemoveAsync("/", recursive: true));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
        Assert.True(Directory.Exists(_agent.HostPath("/workspace")));
    }

    [Fact]
    public async Task Stat_TheRoot_IsADirectory()
    {
        FileEntry root = await _agent.Client.StatAsync("/");
        Assert.Equal(FileKind.Directory, root.Kind);
        Assert.Equal("/", root.Path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("relative/path")]
    [InlineData("/a/\0/b")]
    public async Task AnyOperation_WithAMalformedPath_IsInvalid(string path)
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.StatAsync(path));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
    }
}

public sealed class FileTests(AgentFixture agent) : FileCases(agent), IClassFixture<AgentFixture>;

/// <summary>The same file operations through the agent's own resolver (kernels without openat2, such as gVisor's).</summary>
public sealed class FileTests_WithoutOpenat2(AgentWithoutOpenat2Fixture agent) : FileCases(agent), IClassFixture<AgentWithoutOpenat2Fixture>;
