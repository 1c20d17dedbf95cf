using Airlock.Native;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Guest.Files;

/// <summary>
/// openat2's RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS done one component at a time, for kernels without
/// openat2 (gVisor's sentry answers ENOSYS). Every step is an openat of a single name with O_NOFOLLOW from
/// a directory fd already proven to lie below the base, and every symlink is read and expanded here, never
/// by the kernel: an absolute target, or ".." above the base, is EXDEV as openat2 would say. A name that
/// turns into a symlink between the check and the open fails the O_NOFOLLOW open and the walk restarts.
/// </summary>
internal static class BeneathResolver
{
    /// <summary>Linux's own limit on symlinks followed in one lookup.</summary>
    private const int MaxSymlinks = 40;

    private const int MaxRestarts = 16;

    public static int Open(SafeFileHandle baseDir, string relative, int flags, uint mode, out SafeFileHandle handle)
    {
        int rc = Errno.EAGAIN;
        handle = new SafeFileHandle();
        for (int attempt = 0; attempt < MaxRestarts && rc == Errno.EAGAIN; attempt++)
        {
            rc = Walk(baseDir, relative, flags, mode, out handle);
        }

        return rc;
    }

    private static int Walk(SafeFileHandle baseDir, string relative, int flags, uint mode, out SafeFileHandle handle)
    {
        handle = new SafeFileHandle();
        var pending = new LinkedList<string>(Components(relative));
        var stack = new List<SafeFileHandle>();
        int rc = NativeFs.OpenAt(baseDir, ".", OpenFlags.Path | OpenFlags.Directory, 0, out SafeFileHandle start);
        if (rc != 0) return rc;
        stack.Add(start);
        int symlinks = 0;
        try
        {
            while (pending.First is { } node)
            {
                string name = node.Value;
                pending.RemoveFirst();
                bool last = pending.Count == 0;
                if (name == "..")
                {
                    if (stack.Count == 1) return Errno.EXDEV;
                    stack[^1].Dispose();
                    stack.RemoveAt(stack.Count - 1);
                    if (last) return Reopen(stack[^1], flags, out handle);
                    continue;
                }

                SafeFileHandle dir = stack[^1];
                rc = NativeFs.StatAt(dir, name, out FileStatus status);
                bool exists = rc == 0;
                if (rc != 0 && rc != Errno.ENOENT) return rc;
                if (rc == Errno.ENOENT && !(last && (flags & OpenFlags.Create) != 0)) return rc;

                if (exists && status.IsSymlink && !(last && (flags & OpenFlags.NoFollow) != 0))
                {
                    if (++symlinks > MaxSymlinks) return Errno.ELOOP;
                    rc = NativeFs.ReadLinkAt(dir, name, out string target);
                    if (rc != 0) return rc;
                    if (target.StartsWith('/')) return Errno.EXDEV;
                    foreach (var part in Components(target).Reverse()) pending.AddFirst(part);
                    if (pending.Count == 0) return Reopen(dir, flags, out handle);
                    continue;
                }

                if (last)
                {
                    rc = NativeFs.OpenAt(dir, name, flags | OpenFlags.NoFollow, mode, out handle);
                    // A symlink appeared where a file was (O_NOFOLLOW refused it, or O_PATH opened the link itself): look again.
                    if (rc == Errno.ELOOP && (flags & OpenFlags.NoFollow) == 0) return Errno.EAGAIN;
                    if (rc == 0 && (flags & OpenFlags.NoFollow) == 0 && NativeFs.StatAt(handle, "", out FileStatus opened) == 0 && opened.IsSymlink)
                    {
                        handle.Dispose();
                        return Errno.EAGAIN;
                    }

                    return rc;
                }

                rc = NativeFs.OpenAt(dir, name, OpenFlags.Path | OpenFlags.Directory | OpenFlags.NoFollow, 0, out SafeFileHandle next);
                if (rc == Errno.ENOTDIR && NativeFs.StatAt(dir, name, out FileStatus now) == 0 && now.IsSymlink) return Errno.EAGAIN;
                if (rc != 0) return rc;
                stack.Add(next);
            }

            return Reopen(stack[^1], flags, out handle);
        }
        finally
        {
            foreach (var held in stack) held.Dispose();
        }
    }

    /// <summary>The directory itself under <paramref name="flags"/> (the lookup ended on "." or ".." or a link to a directory).</summary>
    private static int Reopen(SafeFileHandle dir, int flags, out SafeFileHandle handle) =>
        NativeFs.OpenAt(dir, ".", flags & ~(OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.NoFollow), 0, out handle);

    private static IEnumerable<string> Components(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
}
