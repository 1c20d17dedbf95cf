using Airlock.Native;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Guest.Files;

internal sealed partial class SandboxFileSystem
{
    /// <summary>The entries of a directory (in-tree symlinks on the way are followed; the entries themselves are not).</summary>
    public List<FileEntry> List(string path)
    {
        string[] parts = SandboxPath.Split(path);
        using var dir = Open(parts, OpenFlags.ReadOnly | OpenFlags.Directory);
        var names = new List<string>();
        int rc = NativeFs.ReadDirectory(dir, names);
        if (rc != 0)
        {
            throw FileSystemErrors.From(rc, SandboxPath.Join(parts));
        }

        names.Sort(StringComparer.Ordinal);
        var entries = new List<FileEntry>(names.Count);
        foreach (string name in names)
        {
            try
            {
                entries.Add(Describe(dir, name, name, SandboxPath.Join([.. parts, name])));
            }
            catch (AirlockException e) when (e.Kind == AirlockErrorKind.NotFound)
            {
                // Removed between getdents and statx: it is simply gone.
            }
        }

        return entries;
    }

    public FileEntry MakeDirectory(string path, bool parents)
    {
        string[] parts = SandboxPath.Split(path);
        if (parents)
        {
            MakeDirectories(_root, parts, _ => null);
        }
        else
        {
            var (parent, name) = OpenParent(parts);
            using (parent)
            {
                int rc = NativeFs.MakeDirectoryAt(parent, name, 0x1ED); // 0755
                if (rc != 0)
                {
                    throw FileSystemErrors.From(rc, SandboxPath.Join(parts));
                }
            }
        }

        return Stat(SandboxPath.Join(parts));
    }

    /// <summary>mkdir -p below <paramref name="baseDir"/>, each level resolved with the same confinement.</summary>
    public static void MakeDirectories(SafeFileHandle baseDir, string[] parts, Func<string[], string?> escapeMessage)
    {
        for (int i = 1; i <= parts.Length; i++)
        {
            string[] prefix = parts[..i];
            string display = SandboxPath.Join(prefix);
            int rc = TryOpenBeneath(baseDir, SandboxPath.Relative(prefix), OpenFlags.Path | OpenFlags.Directory, 0, out SafeFileHandle existing);
            existing.Dispose();
            if (rc == 0)
            {
                continue;
            }

            if (rc != Errno.ENOENT)
            {
                throw FileSystemErrors.From(rc, display, escapeMessage(prefix));
            }

            using var parent = OpenBeneath(baseDir, SandboxPath.Relative(prefix.AsSpan(0, prefix.Length - 1)), OpenFlags.Path | OpenFlags.Directory, 0, display, escapeMessage(prefix));
            rc = NativeFs.MakeDirectoryAt(parent, prefix[^1], 0x1ED);
            if (rc != 0 && rc != Errno.EEXIST)
            {
                throw FileSystemErrors.From(rc, display, escapeMessage(prefix));
            }
        }
    }

    /// <summary>Removes a file, a symlink (never its target) or an empty directory; with <paramref name="recursive"/>, a whole tree.</summary>
    public void Remove(string path, bool recursive)
    {
        string[] parts = SandboxPath.Split(path);
        if (parts.Length == 0)
        {
            throw AirlockException.Invalid("refusing to remove the sandbox root '/'");
        }

        string display = SandboxPath.Join(parts);
        var (parent, name) = OpenParent(parts);
        using (parent)
        {
            int rc = NativeFs.UnlinkAt(parent, name, directory: false);
            if (rc == Errno.EISDIR)
            {
                rc = recursive ? RemoveTree(parent, name) : NativeFs.UnlinkAt(parent, name, directory: true);
            }

            if (rc != 0)
            {
                throw FileSystemErrors.From(rc, display);
            }
        }
    }

    /// <summary>
    /// Depth-first removal through directory fds opened with O_NOFOLLOW: a symlink swapped in for a
    /// directory mid-walk is unlinked, never descended into.
    /// </summary>
    private static int RemoveTree(SafeFileHandle parent, string name)
    {
        int rc = NativeFs.OpenAt(parent, name, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow, 0, out SafeFileHandle dir);
        if (rc != 0)
        {
            return rc;
        }

        using (dir)
        {
            var names = new List<string>();
            rc = NativeFs.ReadDirectory(dir, names);
            if (rc != 0)
            {
                return rc;
            }

            foreach (string child in names)
            {
                rc = NativeFs.UnlinkAt(dir, child, directory: false);
                if (rc == Errno.EISDIR)
                {
                    rc = RemoveTree(dir, child);
                }

                if (rc != 0 && rc != Errno.ENOENT)
                {
                    return rc;
                }
            }
        }

        return NativeFs.UnlinkAt(parent, name, directory: true);
    }
}
