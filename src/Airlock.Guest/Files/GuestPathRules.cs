using Airlock.Native;
using Airlock.Policy;

namespace Airlock.Guest.Files;

/// <summary>
/// A policy's <c>files</c> rules as mounts the agent makes where it is the guest's init (the microVM tier), the same
/// mounts the OCI runtimes make for the other tiers: read-only is a bind of the path onto itself remounted read-only,
/// a hidden directory an empty read-only tmpfs, a hidden file an empty read-only file, read-write a bind remounted
/// read-write where it re-opens a path inside a read-only one. The host resolved the paths in the image (no symlink
/// left in them); a missing one is created as an empty directory on the sandbox's own disk.
/// <para>
/// In the guest every command runs as root with every capability, which could simply unmount or remount these:
/// <see cref="LockMounts"/> then refuses the mount API (and module loading and kexec, which would undo anything)
/// to every process in the guest, the agent included. Root still reads the raw disks; docs/policy.md says so.
/// </para>
/// </summary>
internal static class GuestPathRules
{
    /// <summary>
    /// x86-64 numbers: mount, umount2, pivot_root, open_tree, move_mount, fsopen, fsconfig, fsmount, fspick,
    /// mount_setattr; init_module, finit_module, delete_module; kexec_load, kexec_file_load.
    /// </summary>
    private static readonly int[] MountChanges = [165, 166, 155, 428, 429, 430, 431, 432, 433, 442, 175, 313, 176, 246, 320];

    private const uint Mode0444 = 0x124;
    private const int DetachLazily = 2;

    /// <summary>On /dev (devtmpfs, never the target of a rule), so a read-only /tmp cannot stop it; gone once the binds hold the file.</summary>
    private const string EmptyFileDirectory = "/dev/.airlock-empty";

    /// <summary><c>ro:/data</c>, <c>rw:/data/out</c>, <c>hidden:/secret</c>; the path percent-encoded, absolute, not '/'.</summary>
    public static bool TryParse(string? text, out FileRule? rule)
    {
        rule = null;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon < 0) return false;
        PathAccess? access = text![..colon] switch
        {
            "ro" => PathAccess.ReadOnly,
            "rw" => PathAccess.ReadWrite,
            "hidden" => PathAccess.Hidden,
            _ => null,
        };
        var path = Uri.UnescapeDataString(text[(colon + 1)..]);
        if (access is null || !path.StartsWith('/') || path == "/" || path.Contains('\0', StringComparison.Ordinal) || path.Split('/').Any(s => s is "." or "..")) return false;
        rule = new FileRule { Path = path, Access = access.Value };
        return true;
    }

    public static void Apply(IReadOnlyList<FileRule> rules, AgentLog log)
    {
        // Every missing path first, as the OCI tiers do on the host: once /data is read-only, /data/out cannot be made.
        foreach (var rule in rules)
        {
            Guard(rule, () =>
            {
                if (!File.Exists(rule.Path) && !Directory.Exists(rule.Path)) Directory.CreateDirectory(rule.Path);
            });
        }

        string? emptyFile = null;
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var index = i;
            Guard(rule, () =>
            {
                switch (rule.Access)
                {
                    case PathAccess.ReadOnly:
                        Bind(rule.Path, rule.Path, HostMountCalls.ReadOnly);
                        break;
                    case PathAccess.Hidden when Directory.Exists(rule.Path):
                        Check(HostMountCalls.Mount("tmpfs", rule.Path, "tmpfs", HostMountCalls.ReadOnly | HostMountCalls.NoSuid | HostMountCalls.NoDev | HostMountCalls.NoExec, "mode=0555,size=4k"), "mount an empty tmpfs");
                        break;
                    case PathAccess.Hidden:
                        emptyFile ??= CreateEmptyFile();
                        Bind(emptyFile, rule.Path, HostMountCalls.ReadOnly | HostMountCalls.NoExec);
                        break;
                    case PathAccess.ReadWrite when ReopensReadOnly(rules, index):
                        Bind(rule.Path, rule.Path, 0);
                        break;
                }
            });
            log.Write($"files rule: {rule.Access} {rule.Path}");
        }

        if (emptyFile is not null)
        {
            Check(HostMountCalls.Unmount(EmptyFileDirectory, DetachLazily), "detach the empty file's tmpfs");
            Directory.Delete(EmptyFileDirectory);
        }
    }

    /// <summary>
    /// After the agent's last mount of its own (the guest's cgroup2): from here no process in the guest can change a
    /// mount. A guest that cannot take the filter does not start, rather than run with rules root could undo.
    /// </summary>
    public static void LockMounts(AgentLog log)
    {
        var rc = SeccompFilter.RefuseForEveryThread(MountChanges);
        if (rc != 0)
        {
            var message = $"cannot lock the guest's mounts (seccomp): {Errno.Message(rc)}";
            if (Environment.ProcessId == 1) TryWriteConsole($"airlock-agent: {message}");
            throw new IOException(message);
        }

        log.Write("guest mounts locked: the mount API, module loading and kexec are refused to every process");
    }

    private static void Guard(FileRule rule, Action step)
    {
        try
        {
            step();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var message = $"files rule {rule.Access} '{rule.Path}': {e.Message}";
            // The agent's own log is usually /dev/null in a VM; the console is what the host shows when a boot fails.
            if (Environment.ProcessId == 1) TryWriteConsole($"airlock-agent: {message}");
            throw new IOException(message, e);
        }
    }

    /// <summary>A bind starts with its source mount's flags (a path inside a read-only bind is read-only): the remount sets them.</summary>
    private static void Bind(string source, string target, ulong flags)
    {
        Check(HostMountCalls.Mount(source, target, "", HostMountCalls.Bind, null), "bind");
        Check(HostMountCalls.Mount("", target, "", HostMountCalls.Bind | HostMountCalls.Remount | HostMountCalls.NoSuid | HostMountCalls.NoDev | flags, null), "remount");
    }

    /// <summary>An empty 0444 file on a read-only tmpfs of its own, detached after the last bind: the binds keep it alive, nothing else reaches it.</summary>
    private static string CreateEmptyFile()
    {
        var directory = Directory.CreateDirectory(EmptyFileDirectory).FullName;
        Check(HostMountCalls.Mount("tmpfs", directory, "tmpfs", HostMountCalls.NoSuid | HostMountCalls.NoDev | HostMountCalls.NoExec, "mode=0755,size=4k"), "mount a tmpfs for the empty file");
        var file = Path.Combine(directory, "empty");
        File.WriteAllBytes(file, []);
        File.SetUnixFileMode(file, (UnixFileMode)Mode0444);
        Check(HostMountCalls.Mount("", directory, "", HostMountCalls.Remount | HostMountCalls.ReadOnly | HostMountCalls.NoSuid | HostMountCalls.NoDev | HostMountCalls.NoExec, "mode=0755,size=4k"), "remount the empty file's tmpfs read-only");
        return file;
    }

    private static bool ReopensReadOnly(IReadOnlyList<FileRule> rules, int index)
    {
        var access = PathAccess.ReadWrite;
        for (var i = 0; i < index; i++)
        {
            if (rules[index].Path.StartsWith(rules[i].Path + "/", StringComparison.Ordinal)) access = rules[i].Access;
        }

        return access == PathAccess.ReadOnly;
    }

    private static void Check(int errno, string what)
    {
        if (errno != 0) throw new IOException($"{what}: {Errno.Message(errno)}");
    }

    private static void TryWriteConsole(string line)
    {
        try
        {
            File.AppendAllText("/dev/console", line + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
