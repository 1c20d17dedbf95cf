using System.Security.Cryptography;
using System.Text;
using Airlock.Native;

namespace Airlock.Backends.MicroVm;

/// <summary>
/// A snapshot of a microVM stopped where its /init waits for its settings (see Guest/init.sh), shared by every sandbox
/// whose guest would be identical up to that point: the same kernel, initramfs, agent, base disk, RAM and vCPUs (the
/// disks are probed after the wait, so their sizes do not matter). A sandbox restores it (QEMU <c>-incoming</c>) and
/// sends its own settings instead of booting the kernel: the snapshot holds nothing of any sandbox, because the
/// initrd it booted from held none. The first create of a kind boots in template mode, saves the snapshot while its
/// guest waits, and continues as itself; a snapshot QEMU refuses is discarded and rebuilt by the next boot.
/// Kept in memory (<see cref="MicroVmBackendOptions.TemplateDirectory"/>, a tmpfs): a cache, gone at reboot, no image of
/// a guest's memory at rest on disk, and nothing taken from the disk space sandboxes' quotas are promised from.
/// <code>
/// {templates}/                           0711 root (refused unless root's and writable by root alone)
///   {key}/                               0711 root; key = hash of everything the guest's state depends on
///     initrd.cpio                        0444 root: the shared initramfs + agent + TemplateBootEnv, nothing else
///     state                              0600 root: QEMU's migration stream of the stopped guest (the host streams it)
///   {key}.making-{pid}-{n}/              the same, while the first create of the kind builds it
/// </code>
/// </summary>
internal sealed class GuestTemplate
{
    /// <summary>Snapshots kept (~110 MB of memory each for a 512 MiB sandbox): the least recently used go first.</summary>
    public const int MaxKept = 4;

    private const string Version = "airlock-microvm-template 1";

    private GuestTemplate(string root, string key)
    {
        RootDirectory = root;
        Key = key;
    }

    public string RootDirectory { get; }

    public string Key { get; }

    public string Directory => Path.Combine(RootDirectory, Key);

    public string Initrd => Path.Combine(Directory, InitrdName);

    public string State => Path.Combine(Directory, StateName);

    public bool IsReady => File.Exists(State);

    public const string InitrdName = "initrd.cpio";

    public const string StateName = "state";

    /// <summary>In a build's directory name: <c>{key}.making-{pid}-{n}</c>.</summary>
    private const string Making = ".making-";

    /// <summary>
    /// The template for a guest built from <paramref name="files"/> (by path, size and modification time: a rebuilt
    /// agent or kernel makes a new template) and <paramref name="settings"/> (RAM, vCPUs, QEMU options).
    /// </summary>
    public static GuestTemplate For(string root, IEnumerable<string> files, IEnumerable<string> settings)
    {
        var text = new StringBuilder(Version).Append('\n');
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            text.Append(info.FullName).Append('|');
            text.Append(info.Exists ? $"{info.Length}|{info.LastWriteTimeUtc.Ticks}" : "absent").Append('\n');
        }

        foreach (var setting in settings)
        {
            text.Append(setting).Append('\n');
        }

        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..24];
        return new GuestTemplate(root, key);
    }

    /// <summary>
    /// Whether <paramref name="root"/> can hold templates: created here (0711 root) when missing; an existing one must be
    /// root's own directory that no one else can write (in a shared tmpfs such as /dev/shm another user could have made
    /// it first, and could then swap a guest's state).
    /// </summary>
    public static bool TryPrepareRoot(string root)
    {
        try
        {
            System.IO.Directory.CreateDirectory(root);
            // Opened without following a final symlink: the checks and the chmod are of this very directory.
            if (NativeFs.Open(root, OpenFlags.Directory | OpenFlags.NoFollow, out var handle) != 0) return false;
            using (handle)
            {
                if (NativeFs.StatAt(handle, "", out var status) != 0 || !status.IsDirectory || status.OwnerId != 0) return false;
                if ((status.Permissions & 0b000_010_010) != 0) return false; // group or others may write
                return NativeFs.ChangeMode(handle, 0b111_001_001) == 0;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A directory of this create's own for the template it builds; <see cref="Publish"/> makes it the template.</summary>
    public string BeginBuild()
    {
        var building = $"{Directory}{Making}{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
        System.IO.Directory.CreateDirectory(building);
        File.SetUnixFileMode(building, DirectoryMode);
        return building;
    }

    /// <summary>Renames a finished build into place; when another create published the same template first, keeps theirs.</summary>
    public void Publish(string building)
    {
        try
        {
            System.IO.Directory.Move(building, Directory);
        }
        catch (IOException) when (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(building, recursive: true);
        }

        Prune(RootDirectory);
    }

    /// <summary>Records a use: pruning keeps the most recently used.</summary>
    public void MarkUsed()
    {
        try
        {
            File.SetLastWriteTimeUtc(State, DateTime.UtcNow);
        }
        catch (IOException)
        {
            // Pruned or discarded meanwhile: this create has its copy open already.
        }
    }

    /// <summary>A snapshot QEMU did not restore: removed, so the next create of its kind boots and saves a new one.</summary>
    public void Discard() => DeleteQuietly(Directory);

    public static void DeleteQuietly(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The published templates in <paramref name="root"/> and the bytes they hold; nothing is created or changed.</summary>
    public static (int Count, long Bytes) Measure(string root)
    {
        if (!System.IO.Directory.Exists(root)) return (0, 0);
        var (count, bytes) = (0, 0L);
        foreach (var directory in System.IO.Directory.EnumerateDirectories(root))
        {
            var state = new FileInfo(Path.Combine(directory, StateName));
            if (Path.GetFileName(directory).Contains(Making, StringComparison.Ordinal) || !state.Exists) continue;
            var initrd = new FileInfo(Path.Combine(directory, InitrdName));
            count++;
            bytes += state.Length + (initrd.Exists ? initrd.Length : 0);
        }

        return (count, bytes);
    }

    /// <summary>
    /// Keeps the <see cref="MaxKept"/> most recently used templates in <paramref name="root"/>; drops builds whose process
    /// is gone (a create killed midway) or that were abandoned over an hour ago.
    /// </summary>
    public static void Prune(string root)
    {
        var templates = new List<(string Path, DateTime Used)>();
        foreach (var directory in System.IO.Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(directory);
            var making = name.IndexOf(Making, StringComparison.Ordinal);
            if (making >= 0)
            {
                var pid = name[(making + Making.Length)..].Split('-')[0];
                if (!System.IO.Directory.Exists("/proc/" + pid) || System.IO.Directory.GetLastWriteTimeUtc(directory) < DateTime.UtcNow.AddHours(-1))
                {
                    DeleteQuietly(directory);
                }

                continue;
            }

            var state = Path.Combine(directory, StateName);
            templates.Add((directory, File.Exists(state) ? File.GetLastWriteTimeUtc(state) : DateTime.MinValue));
        }

        foreach (var (path, _) in templates.OrderByDescending(t => t.Used).Skip(MaxKept))
        {
            DeleteQuietly(path);
        }
    }
}
