using Airlock.Core;
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
    /// Creates the sparse image, formats and loop-mounts it (autoclear: the loop device detaches itself at
    /// unmount), lays out its directories and mounts the overlay root. One shell runs the five util-linux
    /// steps: each process start costs several ms, and this is the create hot path (mount(2) and
    /// LOOP_CONFIGURE through Airlock.Native would remove the forks entirely). Paths are passed as
    /// positional parameters, never spliced into the script.
    /// </summary>
    public static async Task PrepareAsync(SandboxLayout layout, long bytes, string imageRootfs, CancellationToken cancellationToken)
    {
        using (var image = new FileStream(layout.DiskImage, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            image.SetLength(bytes);
        }

        Directory.CreateDirectory(layout.DiskMount);
        const string script = """
            set -e
            # No journal (the disk dies with the sandbox), no reserved blocks (the quota is all the sandbox's),
            # lazy inode tables so mkfs writes a few hundred KB, not megabytes.
            mkfs.ext4 -q -F -m 0 -O ^has_journal -E lazy_itable_init=1,nodiscard "$1"
            mount -t ext4 -o loop,nosuid,nodev,noatime "$1" "$2"
            chmod 0711 "$2"
            mkdir -m 0755 "$3"
            mkdir -m 0700 "$4"
            mkdir -m 0700 "$5"
            # Root inside (HostIdRange.Base outside) owns the top of its writable layer and its socket directory.
            chown "$6" "$3" "$5"
            # nodev: an imported image could carry device nodes; only runc's bind-mounted /dev entries may work.
            mount -t overlay -o "$7" overlay "$8"
            """;
        var overlay = $"lowerdir={imageRootfs},upperdir={layout.Upper},workdir={layout.Work},nodev";
        var owner = $"{HostIdRange.Base}:{HostIdRange.Base}";
        var result = await HostCommand.RunAsync(
            "/bin/sh",
            ["-c", script, "airlock-disk", layout.DiskImage, layout.DiskMount, layout.Upper, layout.Work, layout.SocketDirectory, owner, overlay, layout.Rootfs],
            TimeSpan.FromSeconds(60),
            cancellationToken);
        if (!result.Succeeded)
        {
            throw new HostCommandException($"preparing the disk and root of sandbox {layout.Id} failed: {result.Message}");
        }
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
