using System.Formats.Tar;
using Airlock.Cli.Infrastructure;

namespace Airlock.Server.Tests;

public sealed class SafeTarExtractorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("airlock-tar-").FullName;

    private string Destination => Directory.CreateDirectory(Path.Combine(_root, "dest")).FullName;

    private string Outside => Directory.CreateDirectory(Path.Combine(_root, "outside")).FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static MemoryStream Tar(params TarEntry[] entries)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries) writer.WriteEntry(entry);
        }

        stream.Position = 0;
        return stream;
    }

    private static PaxTarEntry File(string name, string content, UnixFileMode mode = (UnixFileMode)0x1A4) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)), Mode = mode };

    private static PaxTarEntry Link(string name, string target) => new(TarEntryType.SymbolicLink, name) { LinkName = target };

    private Task Extract(Stream tar, string? destination = null) =>
        SafeTarExtractor.ExtractAsync(tar, destination ?? Destination, null, _ => { }, CancellationToken.None);

    [Fact]
    public async Task Extract_WritesFilesDirectoriesAndModes()
    {
        var dest = Destination;
        await Extract(Tar(new PaxTarEntry(TarEntryType.Directory, "d/") { Mode = (UnixFileMode)0x1ED }, File("d/run.sh", "#!/bin/sh", (UnixFileMode)0x9ED), File("./top.txt", "hi")), dest);
        Assert.Equal("hi", await System.IO.File.ReadAllTextAsync(Path.Combine(dest, "top.txt")));
        // setuid (04000) is dropped, permission bits kept.
        Assert.Equal((UnixFileMode)0x1ED, System.IO.File.GetUnixFileMode(Path.Combine(dest, "d/run.sh")));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("/etc/escape.txt")]
    public async Task Extract_RefusesNamesLeavingTheDestination(string name)
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => Extract(Tar(File(name, "x"))));
        Assert.Contains("refusing tar entry", e.Message, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(Path.Combine(_root, "escape.txt")));
    }

    [Fact]
    public async Task Extract_NeverWritesThroughASymlinkFromTheTar()
    {
        var outside = Outside;
        await Assert.ThrowsAsync<AirlockException>(() => Extract(Tar(Link("evil", outside), File("evil/pwned.txt", "x"))));
        Assert.False(System.IO.File.Exists(Path.Combine(outside, "pwned.txt")));
    }

    [Fact]
    public async Task Extract_NeverWritesThroughASymlinkAlreadyInTheDestination()
    {
        var dest = Destination;
        var outside = Outside;
        System.IO.File.CreateSymbolicLink(Path.Combine(dest, "sub"), outside);
        await Assert.ThrowsAsync<AirlockException>(() => Extract(Tar(File("sub/pwned.txt", "x")), dest));
        Assert.False(System.IO.File.Exists(Path.Combine(outside, "pwned.txt")));
    }

    [Fact]
    public async Task Extract_FileOverASymlink_ReplacesTheLinkNotItsTarget()
    {
        var dest = Destination;
        var target = Path.Combine(Outside, "victim.txt");
        await System.IO.File.WriteAllTextAsync(target, "original");
        await Extract(Tar(Link("f", target), File("f", "new")), dest);
        Assert.Equal("original", await System.IO.File.ReadAllTextAsync(target));
        Assert.Equal("new", await System.IO.File.ReadAllTextAsync(Path.Combine(dest, "f")));
        Assert.Null(new FileInfo(Path.Combine(dest, "f")).LinkTarget);
    }

    [Fact]
    public async Task Extract_SkipsHardLinks()
    {
        var dest = Destination;
        var warnings = new List<string>();
        await SafeTarExtractor.ExtractAsync(Tar(new PaxTarEntry(TarEntryType.HardLink, "h") { LinkName = "/etc/shadow" }), dest, null, warnings.Add, CancellationToken.None);
        Assert.False(System.IO.File.Exists(Path.Combine(dest, "h")));
        Assert.Single(warnings);
    }

    [Fact]
    public async Task Extract_StripsTheDirectorysOwnName_AndRefusesOtherTopLevelNames()
    {
        var dest = Destination;
        await SafeTarExtractor.ExtractAsync(Tar(new PaxTarEntry(TarEntryType.Directory, "d/"), File("d/sub/x", "1")), dest, "d", _ => { }, CancellationToken.None);
        Assert.Equal("1", await System.IO.File.ReadAllTextAsync(Path.Combine(dest, "sub/x")));
        await Assert.ThrowsAsync<AirlockException>(() => SafeTarExtractor.ExtractAsync(Tar(File("other/x", "1")), dest, "d", _ => { }, CancellationToken.None));
    }
}
