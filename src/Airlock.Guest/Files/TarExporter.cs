using System.Formats.Tar;
using Airlock.Native;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Guest.Files;

/// <summary>
/// Writes a PAX tar of a file or directory tree. The walk goes through directory fds opened with
/// O_NOFOLLOW, so symlinks are stored as symlinks and never followed (a link to the host's /etc in a
/// sandbox cannot pull host files into a download). Entry names start at the path's last component
/// ("dir/", "dir/file"), as <c>docker cp</c> does; FIFOs, sockets and devices are skipped.
/// </summary>
internal static class TarExporter
{
    public static async Task WriteAsync(SandboxFileSystem fs, string path, Stream output, CancellationToken cancellationToken)
    {
        string[] parts = SandboxPath.Split(path);
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        if (parts.Length == 0)
        {
            using var root = fs.Open(parts, OpenFlags.ReadOnly | OpenFlags.Directory);
            await WriteChildrenAsync(writer, root, "", cancellationToken);
            return;
        }

        var (parent, name) = fs.OpenParent(parts);
        using (parent)
        {
            await WriteEntryAsync(writer, parent, name, name, cancellationToken);
        }
    }

    /// <summary>Validates the path before any data is sent, so a bad path is an Error frame rather than a broken tar.</summary>
    public static void Check(SandboxFileSystem fs, string path) => fs.Stat(path);

    private static async Task WriteEntryAsync(TarWriter writer, SafeFileHandle dir, string name, string entryName, CancellationToken cancellationToken)
    {
        int rc = NativeFs.StatAt(dir, name, out FileStatus status);
        if (rc == Errno.ENOENT)
        {
            return; // vanished during the walk
        }

        if (rc != 0)
        {
            throw FileSystemErrors.From(rc, entryName);
        }

        var mode = (UnixFileMode)status.Permissions;
        if (status.IsDirectory)
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, entryName + "/") { Mode = mode, ModificationTime = status.ModifiedAt }, cancellationToken);
            rc = NativeFs.OpenAt(dir, name, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow, 0, out SafeFileHandle child);
            if (rc != 0)
            {
                throw FileSystemErrors.From(rc, entryName);
            }

            using (child)
            {
                await WriteChildrenAsync(writer, child, entryName + "/", cancellationToken);
            }
        }
        else if (status.IsSymlink)
        {
            rc = NativeFs.ReadLinkAt(dir, name, out string target);
            if (rc != 0)
            {
                throw FileSystemErrors.From(rc, entryName);
            }

            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, entryName) { LinkName = target, Mode = mode, ModificationTime = status.ModifiedAt }, cancellationToken);
        }
        else if (status.IsRegularFile)
        {
            rc = NativeFs.OpenAt(dir, name, OpenFlags.ReadOnly | OpenFlags.NoFollow | OpenFlags.NonBlock, 0, out SafeFileHandle file);
            if (rc != 0)
            {
                throw FileSystemErrors.From(rc, entryName);
            }

            await using var content = new FileStream(file, FileAccess.Read, bufferSize: 0);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, entryName) { Mode = mode, ModificationTime = status.ModifiedAt, DataStream = content }, cancellationToken);
        }
    }

    private static async Task WriteChildrenAsync(TarWriter writer, SafeFileHandle dir, string prefix, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        int rc = NativeFs.ReadDirectory(dir, names);
        if (rc != 0)
        {
            throw FileSystemErrors.From(rc, prefix);
        }

        names.Sort(StringComparer.Ordinal);
        foreach (string name in names)
        {
            await WriteEntryAsync(writer, dir, name, prefix + name, cancellationToken);
        }
    }
}
