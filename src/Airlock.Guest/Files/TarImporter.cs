using System.Formats.Tar;
using Airlock.Native;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Guest.Files;

/// <summary>
/// Extracts a tar stream into a directory. Every entry name is checked lexically (no absolute names,
/// no ".."), and every entry is created through openat2 RESOLVE_BENEATH relative to the target
/// directory's fd, so a symlink planted by an earlier entry ("link -> /etc", "link -> ../..") cannot
/// carry a later entry ("link/passwd") out of the target. Final components are created with O_EXCL /
/// O_NOFOLLOW after unlinking whatever was there, so an existing symlink is replaced, not written through.
/// The first refused entry fails the whole operation.
/// </summary>
internal static class TarImporter
{
    private const uint DefaultDirectoryMode = 0x1ED; // 0755

    /// <summary>Opens the target directory (it must exist) before the host sends any data.</summary>
    public static SafeFileHandle OpenTarget(SandboxFileSystem fs, string path) =>
        fs.Open(SandboxPath.Split(path), OpenFlags.Path | OpenFlags.Directory);

    public static async Task ExtractAsync(SafeFileHandle target, Stream tar, CancellationToken cancellationToken)
    {
        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            string[] parts = EntryParts(entry.Name);
            if (parts.Length == 0)
            {
                continue; // "./"
            }

            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    SandboxFileSystem.MakeDirectories(target, parts, Escape);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    await WriteFileAsync(target, parts, entry, cancellationToken);
                    break;
                case TarEntryType.SymbolicLink:
                    CreateSymlink(target, parts, entry.LinkName);
                    break;
                case TarEntryType.HardLink:
                    CreateHardLink(target, parts, EntryParts(entry.LinkName));
                    break;
                case TarEntryType.GlobalExtendedAttributes:
                    break;
                default:
                    throw AirlockException.Invalid($"tar entry '{entry.Name}' has unsupported type {entry.EntryType}");
            }
        }
    }

    /// <summary>The entry name's components; absolute names and ".." are refused outright.</summary>
    public static string[] EntryParts(string name)
    {
        if (name.Contains('\0'))
        {
            throw AirlockException.Invalid("tar entry name contains a NUL byte");
        }

        string[] parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (name.StartsWith('/') || Array.IndexOf(parts, "..") >= 0)
        {
            throw AirlockException.Invalid($"tar entry '{name}' is absolute or contains '..'; it would leave the target directory, so the upload is refused");
        }

        return Array.FindAll(parts, p => p != ".");
    }

    private static string? Escape(string[] parts) =>
        $"tar entry '{string.Join('/', parts)}' resolves through a symlink that leaves the target directory; the upload is refused";

    private static SafeFileHandle OpenParent(SafeFileHandle target, string[] parts)
    {
        string[] parentParts = parts[..^1];
        SandboxFileSystem.MakeDirectories(target, parentParts, Escape);
        return SandboxFileSystem.OpenBeneath(
            target, SandboxPath.Relative(parentParts), OpenFlags.Path | OpenFlags.Directory, 0, string.Join('/', parts), Escape(parts));
    }

    /// <summary>Removes a non-directory at the final name so the new entry replaces it rather than following it.</summary>
    private static void ClearName(SafeFileHandle parent, string name, string display)
    {
        int rc = NativeFs.UnlinkAt(parent, name, directory: false);
        if (rc is not (0 or Errno.ENOENT or Errno.EISDIR))
        {
            throw FileSystemErrors.From(rc, display);
        }
    }

    private static async Task WriteFileAsync(SafeFileHandle target, string[] parts, TarEntry entry, CancellationToken cancellationToken)
    {
        string display = string.Join('/', parts);
        using var parent = OpenParent(target, parts);
        ClearName(parent, parts[^1], display);
        uint mode = (uint)entry.Mode & 0xFFF;
        int rc = NativeFs.OpenAt(parent, parts[^1], OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.NoFollow, mode, out SafeFileHandle file);
        if (rc != 0)
        {
            throw FileSystemErrors.From(rc, display);
        }

        await using var output = new FileStream(file, FileAccess.Write, bufferSize: 0);
        _ = NativeFs.ChangeMode(file, mode); // the umask must not narrow the archived mode
        if (entry.DataStream is { } data)
        {
            try
            {
                await data.CopyToAsync(output, 256 * 1024, cancellationToken);
            }
            catch (IOException e) when (e.HResult is Errno.ENOSPC or Errno.EDQUOT)
            {
                throw FileSystemErrors.FromIo(e, display);
            }
        }
    }

    private static void CreateSymlink(SafeFileHandle target, string[] parts, string linkTarget)
    {
        // The link's target is stored verbatim: it is only ever followed by the sandbox itself, and
        // every later entry resolves beneath the target directory, so it cannot redirect this extraction.
        string display = string.Join('/', parts);
        using var parent = OpenParent(target, parts);
        ClearName(parent, parts[^1], display);
        int rc = NativeFs.SymlinkAt(linkTarget, parent, parts[^1]);
        if (rc != 0)
        {
            throw FileSystemErrors.From(rc, display);
        }
    }

    private static void CreateHardLink(SafeFileHandle target, string[] parts, string[] existing)
    {
        string display = string.Join('/', parts);
        if (existing.Length == 0)
        {
            throw AirlockException.Invalid($"tar entry '{display}' is a hard link without a target");
        }

        using var existingParent = OpenParent(target, existing);
        using var parent = OpenParent(target, parts);
        ClearName(parent, parts[^1], display);
        int rc = NativeFs.LinkAt(existingParent, existing[^1], parent, parts[^1]);
        if (rc != 0)
        {
            throw FileSystemErrors.From(rc, display);
        }
    }
}
