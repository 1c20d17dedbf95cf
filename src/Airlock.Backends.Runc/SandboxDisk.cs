using Airlock.Core;
using Airlock.Native;
using Airlock.Oci;

namespace Airlock.Backends.Runc;

/// <summary>
/// The sandbox's writable storage: an ext4 file system in a sparse image of exactly the quota, loop
/// mounted. Everything the sandbox can write on the host (overlay upper layer, agent socket directory)
/// lives inside it, so a full disk inside is ENOSPC inside and never a full host disk.
/// </summary>
internal static class SandboxDisk
{

    /// <summary>
    /// Takes a blank formatted image from the pool (or formats one), loop-mounts it with autoclear (the loop
    /// device detaches itself at unmount), lays out its directories and mounts the overlay root — with
    /// mount(2) and LOOP_CONFIGURE directly: a process start per step would cost most of the create time.
    /// </summary>
    public static async Task PrepareAsync(SandboxLayout layout, long bytes, string imageRootfs, BlankDiskPool pool, CancellationToken cancellationToken)
    {
        if (!pool.TryTake(bytes, layout.DiskImage))
        {
            await BlankDiskPool.FormatAsync(layout.DiskImage, bytes, cancellationToken);
        }

        Directory.CreateDirectory(layout.DiskMount);
        Check(HostMountCalls.AttachLoop(layout.DiskImage, out var device, out var attachment), $"attaching {layout.DiskImage} to a loop device");
        using (attachment)
        {
            Check(
                HostMountCalls.Mount(device, layout.DiskMount, "ext4", HostMountCalls.NoSuid | HostMountCalls.NoDev | HostMountCalls.NoAtime, null),
                $"mounting {layout.DiskImage} at {layout.DiskMount}");
        }

        File.SetUnixFileMode(layout.DiskMount, Mode0711);
        Directory.CreateDirectory(layout.Upper);
        File.SetUnixFileMode(layout.Upper, Mode0755);
        Directory.CreateDirectory(layout.Work);
        File.SetUnixFileMode(layout.Work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(layout.SocketDirectory);
        File.SetUnixFileMode(layout.SocketDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // Root inside (HostIdRange.Base outside) owns the top of its writable layer and its socket directory.
        Check(HostMountCalls.ChangeOwner(layout.Upper, HostIdRange.Base, HostIdRange.Base), $"chown {layout.Upper}");
        Check(HostMountCalls.ChangeOwner(layout.SocketDirectory, HostIdRange.Base, HostIdRange.Base), $"chown {layout.SocketDirectory}");

        // nodev: an imported image could carry device nodes; only runc's bind-mounted /dev entries may work.
        Check(
            HostMountCalls.Mount("overlay", layout.Rootfs, "overlay", HostMountCalls.NoDev, $"lowerdir={imageRootfs},upperdir={layout.Upper},workdir={layout.Work}"),
            $"mounting the overlay root at {layout.Rootfs}");
    }

    private const UnixFileMode Mode0711 = OciSandboxLifecycle.Mode0711;
    private const UnixFileMode Mode0755 = Mode0711 | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private static void Check(int errno, string what)
    {
        if (errno != 0) throw new HostCommandException($"{what} failed: {Airlock.Native.Errno.Message(errno)}");
    }

    /// <summary>Loop devices whose backing file is this sandbox's image (normally none once unmounted: autoclear).</summary>
    public static IReadOnlyList<string> FindLoopDevices(SandboxLayout layout)
    {
        var found = new List<string>();
        if (!Directory.Exists("/sys/block"))
        {
            return found;
        }

        foreach (var block in Directory.EnumerateDirectories("/sys/block", "loop*"))
        {
            try
            {
                var backing = File.ReadAllText(Path.Combine(block, "loop", "backing_file")).Trim();
                if (backing == layout.DiskImage || backing == layout.DiskImage + " (deleted)")
                {
                    found.Add("/dev/" + Path.GetFileName(block));
                }
            }
            catch (IOException)
            {
                // Not attached (no loop/ directory) or detached while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    public static async Task DetachLoopDevicesAsync(SandboxLayout layout, CancellationToken cancellationToken)
    {
        foreach (var device in FindLoopDevices(layout))
        {
            var result = await HostCommand.RunAsync("losetup", ["-d", device], TimeSpan.FromSeconds(30), cancellationToken);
            if (!result.Succeeded && FindLoopDevices(layout).Contains(device))
            {
                throw new HostCommandException($"cannot detach {device} (backing {layout.DiskImage}): {result.Message}");
            }
        }
    }
}
