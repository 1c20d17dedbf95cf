using Airlock.Core.Images;

namespace Airlock.Core.Tests.Images;

/// <summary>
/// Real mmdebstrap builds of a minimal image (about 40 s each, from the machine's Debian mirror).
/// One class, so the two builds never compete for the same cores.
/// </summary>
public sealed class MmdebstrapBuildTests : IDisposable
{
    private const uint Base = HostIdRange.Base;
    private readonly TempImagesDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Build_MinimalImage_IsOwnedByTheSandboxRange_ListedAndRemovable()
    {
        var store = new MmdebstrapImageStore(_dir.Paths);
        var lines = new List<string>();

        var info = await store.BuildAsync("tiny", [], new CallbackProgress(line => { lock (lines) lines.Add(line); }));

        Assert.Equal("tiny", info.Name);
        Assert.Empty(info.Packages);
        Assert.True(info.SizeBytes > 10_000_000, $"size {info.SizeBytes}");
        Assert.True(File.Exists(Path.Combine(_dir.Paths.Images, "tiny", "image.json")));
        var rootfs = await new MmdebstrapImageStore(_dir.Paths).GetRootfsAsync("tiny");
        Assert.Equal(Path.Combine(_dir.Paths.Images, "tiny", "rootfs"), rootfs);

        Assert.Equal((Base, Base, "644"), TempImagesDirectory.Stat(Path.Combine(rootfs, "etc", "passwd")));
        Assert.Equal((Base, Base, "4755"), TempImagesDirectory.Stat(Path.Combine(rootfs, "usr", "bin", "passwd")));
        Assert.Equal(Base + 42, TempImagesDirectory.Stat(Path.Combine(rootfs, "etc", "shadow")).Gid); // group shadow
        Assert.Equal((Base, Base, "1777"), TempImagesDirectory.Stat(Path.Combine(rootfs, "tmp")));
        Assert.Equal((Base, Base, "755"), TempImagesDirectory.Stat(Path.Combine(rootfs, "workspace")));
        Assert.Equal(Base, TempImagesDirectory.Stat(Path.Combine(rootfs, "bin")).Uid); // the usrmerge symlink itself
        Assert.False(File.Exists(Path.Combine(rootfs, "dev", "null")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(rootfs, "var", "lib", "apt", "lists")));
        Assert.False(Directory.Exists(Path.Combine(rootfs, "usr", "share", "man", "man1")));

        // Every command's LANG=C.UTF-8 comes from one archive; an image from before the archive gets it at next use.
        var archive = Path.Combine(rootfs, "usr", "lib", "locale", "locale-archive");
        Assert.Equal((Base, Base, "644"), TempImagesDirectory.Stat(archive));
        File.Delete(archive);
        Assert.Equal(rootfs, await new MmdebstrapImageStore(_dir.Paths).GetRootfsAsync("tiny"));
        Assert.Equal((Base, Base, "644"), TempImagesDirectory.Stat(archive));
        var listed = Airlock.Core.Doctor.HostCommand.Run("chroot", [rootfs, "/usr/bin/localedef", "--list-archive"]);
        Assert.Equal("C.utf8", listed.StandardOutput.Trim());

        Assert.Contains("downloading packages with apt", lines);
        Assert.Contains(lines, line => line.StartsWith("installing bash (", StringComparison.Ordinal));
        Assert.DoesNotContain(_dir.Entries, entry => entry.StartsWith(".build-", StringComparison.Ordinal));

        Assert.Equal(["tiny"], (await store.ListAsync()).Select(image => image.Name));
        await store.RemoveAsync("tiny");
        Assert.Empty(await store.ListAsync());
        Assert.False(Directory.Exists(Path.Combine(_dir.Paths.Images, "tiny")));
    }

    [Fact]
    public async Task Build_WhenCancelled_KillsMmdebstrap_AndLeavesNothingBehind()
    {
        var store = new MmdebstrapImageStore(_dir.Paths);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        // Cancel while dpkg runs in the chroot: the moment /proc, /sys and /dev are mounted in it.
        var build = store.BuildAsync("cut", [], new CallbackProgress(line =>
        {
            if (line.StartsWith("installing ", StringComparison.Ordinal)) cancel.Cancel();
        }), cancel.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => build);
        Assert.DoesNotContain(_dir.Entries, entry => entry.StartsWith(".build-", StringComparison.Ordinal) || entry == "cut");
        Assert.Empty(await store.ListAsync());
        Assert.DoesNotContain(_dir.Root, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
        Assert.Empty(ProcessesMentioning(_dir.Root));
    }

    private static List<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(text, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException)
            {
                // Exited while we looked.
            }
        }

        return found;
    }

    private sealed class CallbackProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
