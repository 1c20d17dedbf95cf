using System.Text.Json;
using Airlock.Core.Images;

namespace Airlock.Core.Tests.Images;

/// <summary>Store behaviour that needs no mmdebstrap run.</summary>
public sealed class ImageStoreTests : IDisposable
{
    private readonly TempImagesDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task GetRootfs_OfAnUnknownImage_NamesTheCommandsThatHelp()
    {
        var store = new MmdebstrapImageStore(_dir.Paths);
        var error = await Assert.ThrowsAsync<AirlockException>(() => store.GetRootfsAsync("nosuch"));
        Assert.Equal(AirlockErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("unknown image 'nosuch'", error.Message);
        Assert.Contains("airlock image ls", error.Message);
        Assert.Contains("airlock image build nosuch --packages a,b", error.Message);
    }

    [Fact]
    public async Task GetRootfs_WithABadName_IsInvalid()
    {
        var store = new MmdebstrapImageStore(_dir.Paths);
        var error = await Assert.ThrowsAsync<AirlockException>(() => store.GetRootfsAsync("../../etc"));
        Assert.Equal(AirlockErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public async Task Build_WithABadPackage_FailsBeforeTouchingTheDisk()
    {
        var store = new MmdebstrapImageStore(_dir.Paths);
        var error = await Assert.ThrowsAsync<AirlockException>(() => store.BuildAsync("tiny", ["curl", "--help"]));
        Assert.Contains("'--help'", error.Message);
        Assert.False(Directory.Exists(_dir.Paths.Images));
    }

    [Fact]
    public async Task Remove_OfAnUnknownImage_IsNotFound()
    {
        var store = new MmdebstrapImageStore(_dir.Paths);
        var error = await Assert.ThrowsAsync<AirlockException>(() => store.RemoveAsync("nosuch"));
        Assert.Equal(AirlockErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task List_ShowsOnlyImagesWithImageJson()
    {
        var store = new MmdebstrapImageStore(_dir.Paths);
        Assert.Empty(await store.ListAsync());

        WriteImage("done", new ImageInfo { Name = "done", Packages = ["curl"], SizeBytes = 3 });
        Directory.CreateDirectory(Path.Combine(_dir.Paths.Images, "half", "rootfs"));
        Directory.CreateDirectory(Path.Combine(_dir.Paths.Images, ".build-done-0a1b2c3d", "rootfs"));
        File.WriteAllText(Path.Combine(_dir.Paths.Images, ".lock-done"), "");

        var images = await store.ListAsync();
        var image = Assert.Single(images);
        Assert.Equal("done", image.Name);
        Assert.Equal(["curl"], image.Packages);
        Assert.Equal(Path.Combine(_dir.Paths.Images, "done", "rootfs"), await store.GetRootfsAsync("done"));
        await Assert.ThrowsAsync<AirlockException>(() => store.GetRootfsAsync("half"));
    }

    [Fact]
    public async Task GetRootfs_OfAnImageWithoutLocaleArchive_NeverWaitsForTheBuildLock_AndAFailedUpgradeIsNotRetried()
    {
        // The locale and localedef are there, but no shell: an upgrade that runs fails (chroot cannot start /bin/sh).
        WriteImage("old", new ImageInfo { Name = "old" });
        var rootfs = Path.Combine(_dir.Paths.Images, "old", "rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "usr", "lib", "locale", "C.utf8"));
        Directory.CreateDirectory(Path.Combine(rootfs, "usr", "bin"));
        File.WriteAllText(Path.Combine(rootfs, "usr", "bin", "localedef"), "");
        var store = new MmdebstrapImageStore(_dir.Paths);
        var said = new List<string>();
        var progress = new CallbackProgress(line => { lock (said) said.Add(line); });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        using (var build = File.Open(Path.Combine(_dir.Paths.Images, ".lock-old"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            // A build holds the name: the create goes on with the image as it is.
            Assert.Equal(rootfs, await store.GetRootfsAsync("old", progress, timeout.Token));
            Assert.Empty(said);
        }

        Assert.Equal(rootfs, await store.GetRootfsAsync("old", progress, timeout.Token));
        Assert.Contains(said, line => line.StartsWith("image 'old': cannot add the C.UTF-8 locale archive", StringComparison.Ordinal));
        var tries = said.Count;
        Assert.Equal(rootfs, await store.GetRootfsAsync("old", progress, timeout.Token));
        Assert.Equal(tries, said.Count);
        Assert.False(File.Exists(Path.Combine(rootfs, "usr", "lib", "locale", "locale-archive")));
    }

    [Fact]
    public async Task Remove_DeletesTheImageDirectory()
    {
        var store = new MmdebstrapImageStore(_dir.Paths);
        WriteImage("gone", new ImageInfo { Name = "gone" });
        await store.RemoveAsync("gone");
        Assert.Empty(await store.ListAsync());
        Assert.DoesNotContain(_dir.Entries, entry => entry.StartsWith("gone", StringComparison.Ordinal) || entry.StartsWith(".trash", StringComparison.Ordinal));
    }

    [Fact]
    public void ImageJson_UsesCamelCaseFields()
    {
        WriteImage("x", new ImageInfo { Name = "x", Packages = ["a1"], SizeBytes = 7 });
        var json = File.ReadAllText(Path.Combine(_dir.Paths.Images, "x", "image.json"));
        Assert.Contains("\"name\"", json);
        Assert.Contains("\"createdAt\"", json);
        Assert.Contains("\"sizeBytes\"", json);
    }

    [Theory]
    [InlineData(".build-py-0a1b2c3d", "py", true)]
    [InlineData(".build-py-x-0a1b2c3d", "py", false)]
    [InlineData(".build-py-x-0a1b2c3d", "py-x", true)]
    [InlineData(".build-py-0a1b2c3d-0a1b2c3d", "py-0a1b2c3d", true)]
    [InlineData(".build-py-0a1b2c3d-0a1b2c3d", "py", false)]
    [InlineData(".build-py-0A1B2C3D", "py", false)]
    public void IsLeftoverOf_MatchesOnlyThatNamesBuildDirectories(string entry, string name, bool expected)
    {
        Assert.Equal(expected, MmdebstrapImageStore.IsLeftoverOf(entry, ".build-", name));
    }

    [Fact]
    public void DirectorySize_CountsFilesButNotSymlinkTargets()
    {
        var root = Path.Combine(_dir.Root, "tree");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        File.WriteAllBytes(Path.Combine(root, "a"), new byte[100]);
        File.WriteAllBytes(Path.Combine(root, "sub", ".hidden"), new byte[20]);
        File.CreateSymbolicLink(Path.Combine(root, "link"), Path.Combine(root, "a"));
        Directory.CreateSymbolicLink(Path.Combine(root, "sublink"), Path.Combine(root, "sub"));
        Assert.Equal(120, DirectorySize.Of(root));
        Assert.Equal(0, DirectorySize.Of(Path.Combine(_dir.Root, "missing")));
    }

    private void WriteImage(string name, ImageInfo info)
    {
        var directory = Path.Combine(_dir.Paths.Images, name);
        Directory.CreateDirectory(Path.Combine(directory, "rootfs"));
        File.WriteAllText(Path.Combine(directory, "image.json"), JsonSerializer.Serialize(info, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    }

    private sealed class CallbackProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
