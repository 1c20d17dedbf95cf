using Airlock.Native;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Guest.Files;

/// <summary>
/// File operations confined to the sandbox root. Every lookup is openat2(2) relative to an O_PATH fd
/// of the root with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: relative symlinks that stay inside work
/// (Debian's /bin -> usr/bin), while absolute symlinks, symlinks that climb out and /proc magic links
/// fail in the kernel, race-free (the "docker cp symlink" class of escapes). Operations that change a
/// name resolve its parent that way and act with *at() calls on the final component, so a final
/// symlink is never written through to the outside. Where the kernel has no openat2 (gVisor),
/// <see cref="BeneathResolver"/> walks the same rules one component at a time.
/// </summary>
internal sealed partial class SandboxFileSystem : IDisposable
{
    public const ulong Resolve = OpenFlags.ResolveBeneath | OpenFlags.ResolveNoMagicLinks;

    private readonly SafeFileHandle _root;

    /// <summary>
    /// Set once openat2 answered ENOSYS (gVisor), or by AIRLOCK_AGENT_WITHOUT_OPENAT2=1 so the host's tests can
    /// hold <see cref="BeneathResolver"/> to the same escape cases as the kernel.
    /// </summary>
    private static volatile bool s_withoutOpenat2 = Environment.GetEnvironmentVariable("AIRLOCK_AGENT_WITHOUT_OPENAT2") == "1";

    public SandboxFileSystem(string rootPath)
    {
        int rc = NativeFs.Open(rootPath, OpenFlags.Path | OpenFlags.Directory, out _root);
        if (rc != 0)
        {
            throw new IOException($"cannot open the sandbox root '{rootPath}': {Errno.Message(rc)}");
        }

        RootPath = rootPath;
    }

    /// <summary>The root on the agent's file system ("/" inside a container).</summary>
    public string RootPath { get; }

    public SafeFileHandle Root => _root;

    /// <summary>openat2 below <paramref name="baseDir"/>; retried on EAGAIN (the kernel's answer to a concurrent rename during a confined lookup).</summary>
    public static SafeFileHandle OpenBeneath(SafeFileHandle baseDir, string relative, int flags, uint mode, string displayPath, string? escapeMessage = null)
    {
        int rc = TryOpenBeneath(baseDir, relative, flags, mode, out SafeFileHandle handle);
        return rc == 0 ? handle : throw FileSystemErrors.From(rc, displayPath, escapeMessage);
    }

    public static int TryOpenBeneath(SafeFileHandle baseDir, string relative, int flags, uint mode, out SafeFileHandle handle)
    {
        if (s_withoutOpenat2)
        {
            return BeneathResolver.Open(baseDir, relative, flags, mode, out handle);
        }

        int rc = Errno.EAGAIN;
        handle = new SafeFileHandle();
        for (int attempt = 0; attempt < 16 && rc == Errno.EAGAIN; attempt++)
        {
            rc = NativeFs.OpenAt2(baseDir, relative, flags, mode, Resolve, out handle);
        }

        if (rc == Errno.ENOSYS)
        {
            s_withoutOpenat2 = true;
            return BeneathResolver.Open(baseDir, relative, flags, mode, out handle);
        }

        return rc;
    }

    /// <summary>Opens <paramref name="parts"/> below the root.</summary>
    public SafeFileHandle Open(string[] parts, int flags, uint mode = 0) =>
        OpenBeneath(_root, SandboxPath.Relative(parts), flags, mode, SandboxPath.Join(parts));

    /// <summary>The parent directory of <paramref name="parts"/> (O_PATH) and the final name.</summary>
    public (SafeFileHandle Parent, string Name) OpenParent(string[] parts)
    {
        if (parts.Length == 0)
        {
            throw AirlockException.Invalid("this operation is not allowed on the sandbox root '/'");
        }

        var parent = Open(parts[..^1], OpenFlags.Path | OpenFlags.Directory);
        return (parent, parts[^1]);
    }

    public FileEntry Stat(string path)
    {
        string[] parts = SandboxPath.Split(path);
        if (parts.Length == 0)
        {
            return Describe(_root, "", "/", "/");
        }

        var (parent, name) = OpenParent(parts);
        using (parent)
        {
            return Describe(parent, name, name, SandboxPath.Join(parts));
        }
    }

    /// <summary>statx of <paramref name="name"/> in <paramref name="dir"/> without following it, as a <see cref="FileEntry"/>.</summary>
    public static FileEntry Describe(SafeFileHandle dir, string name, string displayName, string displayPath)
    {
        int rc = NativeFs.StatAt(dir, name, out FileStatus status);
        if (rc != 0)
        {
            throw FileSystemErrors.From(rc, displayPath);
        }

        string? target = null;
        if (status.IsSymlink && NativeFs.ReadLinkAt(dir, name, out string link) == 0)
        {
            target = link;
        }

        return new FileEntry
        {
            Name = displayName,
            Path = displayPath,
            Kind = status.IsDirectory ? FileKind.Directory
                : status.IsRegularFile ? FileKind.File
                : status.IsSymlink ? FileKind.Symlink
                : FileKind.Other,
            Size = status.Size,
            Mode = status.Permissions,
            ModifiedAt = status.ModifiedAt,
            LinkTarget = target,
        };
    }

    public void Dispose() => _root.Dispose();
}
