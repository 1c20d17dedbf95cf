using System.Formats.Tar;

namespace Airlock.Guest.Tests;

public sealed class TarTests : IClassFixture<AgentFixture>
{
    private readonly AgentFixture _agent;

    public TarTests(AgentFixture agent)
    {
        _agent = agent;
    }

    [Fact]
    public async Task DownloadThenUpload_ATreeWithASymlink_RoundTripsAndKeepsTheLinkALink()
    {
        string src = _agent.HostPath("/workspace/src");
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        await File.WriteAllTextAsync(Path.Combine(src, "a.txt"), "alpha");
        await File.WriteAllTextAsync(Path.Combine(src, "sub", "b.txt"), "beta");
        File.SetUnixFileMode(Path.Combine(src, "a.txt"), (UnixFileMode)0x1ED);
        File.CreateSymbolicLink(Path.Combine(src, "link"), "sub/b.txt");
        File.CreateSymbolicLink(Path.Combine(src, "host-link"), Path.Combine(_agent.Outside, "never-read"));
        await File.WriteAllTextAsync(Path.Combine(_agent.Outside, "never-read"), "HOST");

        using var tar = new MemoryStream();
        await using (Stream download = await _agent.Client.DownloadTarAsync("/workspace/src"))
        {
            await download.CopyToAsync(tar);
        }

        tar.Position = 0;
        var names = new List<string>();
        await using (var reader = new TarReader(new MemoryStream(tar.ToArray())))
        {
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                names.Add(entry.Name);
                if (entry.Name == "src/host-link")
                {
                    Assert.Equal(TarEntryType.SymbolicLink, entry.EntryType);
                    Assert.Null(entry.DataStream);
                }
            }
        }

        Assert.Equal(["src/", "src/a.txt", "src/host-link", "src/link", "src/sub/", "src/sub/b.txt"], names);

        await _agent.Client.MakeDirectoryAsync("/workspace/dst", parents: true);
        await _agent.Client.UploadTarAsync("/workspace/dst", tar);

        string dst = _agent.HostPath("/workspace/dst/src");
        Assert.Equal("alpha", await File.ReadAllTextAsync(Path.Combine(dst, "a.txt")));
        Assert.Equal("beta", await File.ReadAllTextAsync(Path.Combine(dst, "sub", "b.txt")));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(dst, "a.txt")));
        Assert.Equal("sub/b.txt", new FileInfo(Path.Combine(dst, "link")).LinkTarget);
        Assert.Equal("beta", await File.ReadAllTextAsync(Path.Combine(dst, "link")));
    }

    [Fact]
    public async Task Download_OfASingleFile_HoldsOneEntry()
    {
        await File.WriteAllTextAsync(_agent.HostPath("/workspace/one.txt"), "one");
        await using Stream download = await _agent.Client.DownloadTarAsync("/workspace/one.txt");
        await using var reader = new TarReader(download);
        TarEntry entry = (await reader.GetNextEntryAsync())!;
        Assert.Equal("one.txt", entry.Name);
        Assert.Equal("one", await new StreamReader(entry.DataStream!).ReadToEndAsync());
        Assert.Null(await reader.GetNextEntryAsync());
    }

    [Fact]
    public async Task Upload_ToAMissingDirectory_IsNotFound()
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.UploadTarAsync("/workspace/missing-dir", Build(w => AddFile(w, "x", "x"))));
        Assert.Equal(AirlockErrorKind.NotFound, e.Kind);
    }

    [Theory]
    [InlineData("../escaped.txt")]
    [InlineData("ok/../../escaped.txt")]
    [InlineData("/escaped.txt")]
    public async Task Upload_AnEntryLeavingTheTarget_IsRefusedAndCreatesNothingOutside(string name)
    {
        string target = await FreshTargetAsync();
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.UploadTarAsync(target, Build(w => AddFile(w, name, "pwned"))));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
        Assert.False(File.Exists(_agent.HostPath("/workspace/escaped.txt")));
        Assert.False(File.Exists(_agent.HostPath("/escaped.txt")));
        Assert.False(File.Exists(Path.Combine(_agent.Base, "escaped.txt")));
    }

    [Theory]
    [InlineData("absolute-to-host")]
    [InlineData("../../../../outside")]
    [InlineData("..")]
    public async Task Upload_ASymlinkThenAFileThroughIt_IsRefusedAndWritesNothingOutside(string linkTarget)
    {
        string target = await FreshTargetAsync();
        string resolvedTarget = linkTarget == "absolute-to-host" ? _agent.Outside : linkTarget;
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.UploadTarAsync(target, Build(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "link") { LinkName = resolvedTarget });
            AddFile(w, "link/pwned.txt", "pwned");
        })));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
        Assert.Empty(Directory.GetFileSystemEntries(_agent.Outside, "pwned.txt", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFileSystemEntries(_agent.Base, "pwned.txt", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Upload_AFileOverAnExistingEscapingSymlink_ReplacesTheLinkInsteadOfWritingThroughIt()
    {
        string target = await FreshTargetAsync();
        string victim = Path.Combine(_agent.Outside, "victim.txt");
        await File.WriteAllTextAsync(victim, "original");
        File.CreateSymbolicLink(_agent.HostPath(target + "/file.txt"), victim);

        await _agent.Client.UploadTarAsync(target, Build(w => AddFile(w, "file.txt", "new content")));

        Assert.Equal("original", await File.ReadAllTextAsync(victim));
        Assert.Null(new FileInfo(_agent.HostPath(target + "/file.txt")).LinkTarget);
        Assert.Equal("new content", await File.ReadAllTextAsync(_agent.HostPath(target + "/file.txt")));
        File.Delete(victim);
    }

    [Fact]
    public async Task Upload_AHardLinkToAFileOutsideTheTarget_IsRefused()
    {
        string target = await FreshTargetAsync();
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.UploadTarAsync(target, Build(w =>
            w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "hard") { LinkName = "../../../outside/secret.txt" }))));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public async Task Upload_NotATar_IsInvalid()
    {
        string target = await FreshTargetAsync();
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.UploadTarAsync(target, new MemoryStream(System.Text.Encoding.ASCII.GetBytes(new string('x', 2048)))));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
    }

    private async Task<string> FreshTargetAsync()
    {
        string path = "/workspace/t-" + Guid.NewGuid().ToString("N")[..8];
        await _agent.Client.MakeDirectoryAsync(path, parents: true);
        return path;
    }

    private static MemoryStream Build(Action<TarWriter> write)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            write(writer);
        }

        stream.Position = 0;
        return stream;
    }

    private static void AddFile(TarWriter writer, string name, string content) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) });
}
