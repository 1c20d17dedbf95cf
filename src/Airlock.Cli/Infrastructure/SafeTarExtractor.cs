using System.Formats.Tar;

namespace Airlock.Cli.Infrastructure;

/// <summary>
/// Extracts a tar that a sandbox produced onto the host. The sandbox controls every name and link in it,
/// so this is the docker-cp CVE class (CVE-2019-14271, CVE-2018-15664): nothing may land outside the
/// destination. Entries with absolute names or ".." are refused; no path component is ever followed
/// through a symlink — neither one the tar planted earlier nor one already in the destination tree —
/// because every parent is lstat-ed and must be a real directory. Hard links and device nodes are skipped.
/// </summary>
internal static class SafeTarExtractor
{
    // setuid/setgid/sticky are dropped: a file from a sandbox must not become a set-id binary on the host.
    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF;

    /// <param name="stripPrefix">
    /// The engine names a directory's entries after its last component ("dir/", "dir/file", as docker cp);
    /// when given, every entry must start with this component, which is removed. Null: entries are relative.
    /// </param>
    public static async Task ExtractAsync(Stream tar, string destination, string? stripPrefix, Action<string> warn, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(destination);
        if (Lstat(root) != Kind.Directory) throw new UsageException($"{destination} is not a directory");
        var directoryModes = new List<(string Path, UnixFileMode Mode)>();
        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes) continue;
            var segments = Segments(entry.Name);
            if (stripPrefix is not null)
            {
                if (segments.Count == 0 || segments[0] != stripPrefix) throw Refuse(entry.Name, $"it is not inside '{stripPrefix}/', the directory asked for");
                segments.RemoveAt(0);
            }

            if (segments.Count == 0)
            {
                if (entry.EntryType == TarEntryType.Directory) directoryModes.Add((root, entry.Mode & PermissionBits));
                continue;
            }

            var parent = EnsureDirectories(root, segments.Take(segments.Count - 1), entry.Name);
            var target = Path.Combine(parent, segments[^1]);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    switch (Lstat(target))
                    {
                        case Kind.Missing:
                            Directory.CreateDirectory(target);
                            break;
                        case Kind.Directory:
                            break;
                        default:
                            throw Refuse(entry.Name, "a non-directory is in the way");
                    }

                    directoryModes.Add((target, entry.Mode & PermissionBits));
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    ClearForNewEntry(target, entry.Name);
                    // CreateNew is O_EXCL: it never opens through a symlink that appeared in the meantime.
                    await using (var file = new FileStream(target, new FileStreamOptions
                    {
                        Mode = FileMode.CreateNew,
                        Access = FileAccess.Write,
                        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                    }))
                    {
                        if (entry.DataStream is { } data) await data.CopyToAsync(file, cancellationToken);
                    }

                    File.SetUnixFileMode(target, entry.Mode & PermissionBits);
                    break;
                case TarEntryType.SymbolicLink:
                    // The link itself is harmless where it stands; later entries cannot pass through it (EnsureDirectories).
                    ClearForNewEntry(target, entry.Name);
                    File.CreateSymbolicLink(target, entry.LinkName);
                    break;
                default:
                    warn($"skipped {entry.Name}: {entry.EntryType} entries are not copied to the host");
                    break;
            }
        }

        // Last, deepest first: a read-only directory must not stop its own children from being written.
        foreach (var (path, mode) in directoryModes.OrderByDescending(d => d.Path.Length))
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.UserWrite | UnixFileMode.UserRead);
        }
    }

    internal static List<string> Segments(string name)
    {
        if (name.StartsWith('/')) throw Refuse(name, "absolute names are not allowed");
        if (name.Contains('\0', StringComparison.Ordinal)) throw Refuse(name, "NUL in name");
        var segments = new List<string>();
        foreach (var segment in name.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".") continue;
            if (segment == "..") throw Refuse(name, "'..' would leave the destination");
            segments.Add(segment);
        }

        return segments;
    }

    private static string EnsureDirectories(string root, IEnumerable<string> segments, string entryName)
    {
        var current = root;
        foreach (var segment in segments)
        {
            current = Path.Combine(current, segment);
            switch (Lstat(current))
            {
                case Kind.Missing:
                    Directory.CreateDirectory(current);
                    break;
                case Kind.Directory:
                    break;
                case Kind.Symlink:
                    throw Refuse(entryName, $"{current} is a symlink and is never followed");
                default:
                    throw Refuse(entryName, $"{current} is not a directory");
            }
        }

        return current;
    }

    private static void ClearForNewEntry(string target, string entryName)
    {
        switch (Lstat(target))
        {
            case Kind.Missing:
                return;
            case Kind.Directory:
                throw Refuse(entryName, "a directory is in the way");
            default:
                File.Delete(target); // unlinks a symlink itself, never its target
                return;
        }
    }

    private enum Kind
    {
        Missing,
        File,
        Directory,
        Symlink,
    }

    private static Kind Lstat(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) return Kind.Symlink;
        if (Directory.Exists(path)) return Kind.Directory;
        return info.Exists ? Kind.File : Kind.Missing;
    }

    private static AirlockException Refuse(string entry, string why) =>
        AirlockException.Invalid($"refusing tar entry '{entry}' from the sandbox: {why}");
}
