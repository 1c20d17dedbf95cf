namespace Airlock.Core.Images;

/// <summary>Turns a fresh mmdebstrap tree into a sandbox base: working directory, sticky /tmp, no caches, no device nodes.</summary>
internal static class RootfsFinisher
{
    private const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Mode1777 = UnixFileMode.StickyBit | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static void Finish(string rootfs)
    {
        // Every chmod below follows symbolic links, so each target is first checked to be a real
        // directory inside the tree; a link to the host's /tmp must never be chmod-ed.
        var workspace = RealDirectory(rootfs, "workspace", create: true);
        File.SetUnixFileMode(workspace, Mode0755);
        File.SetUnixFileMode(RealDirectory(rootfs, "tmp", create: true), Mode1777);

        // The sandbox has no use for package indexes (tens of MB); apt-get update fetches fresh ones.
        DeleteFiles(Path.Combine(rootfs, "var", "lib", "apt", "lists"), "*");
        DeleteFiles(Path.Combine(rootfs, "var", "cache", "apt"), "*.bin");
        DeleteFiles(Path.Combine(rootfs, "var", "cache", "apt", "archives"), "*.deb");

        // mmdebstrap leaves /dev/null, /dev/console and friends as real device nodes. The runtime
        // gives every sandbox its own /dev; a node left in the read-only base is only attack surface.
        RemoveDeviceNodes(Path.Combine(rootfs, "dev"));
    }

    private static string RealDirectory(string rootfs, string name, bool create)
    {
        var path = Path.Combine(rootfs, name);
        var info = new DirectoryInfo(path);
        if (info.Exists && info.LinkTarget is not null)
        {
            throw AirlockException.Unavailable($"/{name} in the new image is a symbolic link ({info.LinkTarget}); refusing to change it");
        }

        if (!info.Exists && create) Directory.CreateDirectory(path);
        return path;
    }

    private static void DeleteFiles(string directory, string pattern)
    {
        if (!Directory.Exists(directory)) return;
        foreach (var file in Directory.EnumerateFiles(directory, pattern, new EnumerationOptions { AttributesToSkip = 0 }))
        {
            File.Delete(file);
        }
    }

    private static void RemoveDeviceNodes(string dev)
    {
        if (!Directory.Exists(dev)) return;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var entry in new DirectoryInfo(dev).EnumerateFileSystemInfos("*", options).ToList())
        {
            // Directories (pts, shm) and symbolic links (fd, stdin) stay; everything else here is a node.
            if (entry is FileInfo && entry.LinkTarget is null) entry.Delete();
        }
    }
}
