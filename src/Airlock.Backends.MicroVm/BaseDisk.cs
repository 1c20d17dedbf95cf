using System.Diagnostics;
using Airlock.Core;
using Airlock.Oci;

namespace Airlock.Backends.MicroVm;

/// <summary>
/// The read-only ext4 image of an image's root filesystem that every microVM of the image boots from
/// (guest /dev/vda), cached next to the image as <c>microvm-base.img</c> and rebuilt when the rootfs is newer.
/// Image files are owned by <see cref="HostIdRange"/> on the host; inside the VM root must be 0 again.
/// <c>mkfs.ext4 -d</c> copies owners as it sees them, so it runs inside a user namespace whose map turns
/// <see cref="HostIdRange.Base"/> back into 0: one pass over the tree, no copy and no chown walk.
/// </summary>
internal static class BaseDisk
{
    public const string FileName = "microvm-base.img";

    public static string PathFor(string imageRootfs) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(imageRootfs).TrimEnd('/'))!, FileName);

    /// <summary>Returns the base image for <paramref name="imageRootfs"/>, building it first when missing or stale.</summary>
    public static async Task<string> EnsureAsync(string imageRootfs, uint readerGid, CancellationToken cancellationToken)
    {
        var image = PathFor(imageRootfs);
        if (IsFresh(image, imageRootfs)) return image;

        // One builder per image; others wait for it, then find the image fresh.
        await using var lockFile = await AcquireLockAsync(image + ".lock", cancellationToken);
        if (IsFresh(image, imageRootfs)) return image;

        var making = $"{image}.making-{Environment.ProcessId}";
        try
        {
            await BuildAsync(imageRootfs, making, cancellationToken);
            File.SetUnixFileMode(making, UnixFileMode.UserRead | UnixFileMode.GroupRead);
            Airlock.Native.HostMountCalls.ChangeOwner(making, 0, readerGid);
            File.Move(making, image, overwrite: true);
        }
        finally
        {
            File.Delete(making);
        }

        return image;
    }

    private static bool IsFresh(string image, string rootfs) =>
        File.Exists(image) && File.GetLastWriteTimeUtc(image) >= Directory.GetLastWriteTimeUtc(rootfs);

    private static async Task BuildAsync(string rootfs, string output, CancellationToken cancellationToken)
    {
        using (var file = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.SetLength(SizeFor(rootfs));
        }

        // mkfs runs as the namespace's root, which is HostIdRange.Base outside: it must be able to write the output.
        Check(Airlock.Native.HostMountCalls.ChangeOwner(output, HostIdRange.Base, HostIdRange.Base), $"chown {output}");

        using var holder = Process.Start(new ProcessStartInfo("unshare", ["--user", "--", "sleep", "600"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new HostCommandException("cannot start unshare");
        try
        {
            await WaitForOwnUserNamespaceAsync(holder.Id, cancellationToken);
            // Each map must arrive in one write(2) at offset 0; .NET's file writes are positional (pwrite) and
            // the kernel refuses them, so a shell's plain write does it.
            var map = $"0 {HostIdRange.Base} {HostIdRange.Size}";
            var pid = holder.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var mapped = await HostCommand.RunAsync(
                "/bin/sh", ["-c", "echo \"$1\" > /proc/$2/uid_map && echo \"$1\" > /proc/$2/gid_map", "sh", map, pid], TimeSpan.FromSeconds(10), cancellationToken);
            if (!mapped.Succeeded)
            {
                throw new HostCommandException($"cannot map {HostIdRange.Base} to 0 in a user namespace: {mapped.Message}");
            }

            // No journal: the base is mounted read-only and never written. Lazy inode tables: a sparse file.
            var result = await HostCommand.RunAsync(
                "nsenter",
                ["--user", "--target", pid, "--",
                 "mkfs.ext4", "-q", "-F", "-m", "0", "-O", "^has_journal", "-E", "lazy_itable_init=1,nodiscard", "-L", "airlock-base", "-d", rootfs, output],
                TimeSpan.FromMinutes(5),
                cancellationToken);
            if (!result.Succeeded)
            {
                throw new HostCommandException($"building the microVM base disk from {rootfs} failed: {result.Message}");
            }
        }
        finally
        {
            holder.Kill();
            await holder.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>unshare execs sleep once the namespace exists; until then /proc/PID/ns/user is ours.</summary>
    private static async Task WaitForOwnUserNamespaceAsync(int pid, CancellationToken cancellationToken)
    {
        var ours = new FileInfo("/proc/self/ns/user").ResolveLinkTarget(false)?.ToString();
        for (var i = 0; i < 500; i++)
        {
            var theirs = new FileInfo($"/proc/{pid}/ns/user").ResolveLinkTarget(false)?.ToString();
            if (theirs is not null && theirs != ours) return;
            await Task.Delay(TimeSpan.FromMilliseconds(2), cancellationToken);
        }

        throw new HostCommandException("unshare --user did not create a user namespace");
    }

    /// <summary>The tree's allocated size with room for ext4's metadata; the guest never writes to it.</summary>
    private static long SizeFor(string rootfs)
    {
        long bytes = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var entry in new DirectoryInfo(rootfs).EnumerateFileSystemInfos("*", options))
        {
            bytes += 4096 + (entry is FileInfo file && entry.LinkTarget is null ? (file.Length + 4095) / 4096 * 4096 : 0);
        }

        return ((bytes + bytes / 8 + (64L << 20)) + (1 << 20) - 1) / (1 << 20) * (1 << 20);
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
    }

    private static void Check(int errno, string what)
    {
        if (errno != 0) throw new HostCommandException($"{what} failed: {Airlock.Native.Errno.Message(errno)}");
    }
}
