using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Airlock.Native;

namespace Airlock.Guest.Exec;

/// <summary>
/// The agent's own out-of-memory killer, for kernels that have none the host can rely on: under gVisor the
/// host memory cgroup holds the whole sentry, so the host OOM killer ends the sandbox instead of the command.
/// It polls the kernel's view of used memory (<c>MemTotal - MemAvailable</c> of <c>/proc/meminfo</c>); at the
/// limit it SIGKILLs the process with the largest resident set (never the agent), as the kernel's OOM killer
/// would (only among its own descendants), and remembers the session so the exec reports <c>memory</c>. The
/// backend leaves headroom above the limit in the host cgroup for what a command allocates between two polls.
/// <para>
/// A poll is one <c>pread</c> of a descriptor kept open, and the next poll comes when memory growing at
/// <see cref="AssumedGrowthBytesPerSecond"/> could reach the limit (every <see cref="MinInterval"/> near it, every
/// <see cref="MaxInterval"/> far below it). Under gVisor's ptrace platform on a virtual machine a system call
/// costs ~65 us: the first guard (open, fstat, flock x2, pread x2, close every 5 ms) kept an idle sandbox's sentry
/// at ~10 % of a host core.
/// </para>
/// </summary>
internal sealed class MemoryGuard
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(5);

    public static readonly TimeSpan MaxInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Several times what a command allocates under ptrace (~700 MB/s), so a faster platform still stays inside the host's headroom.</summary>
    public const long AssumedGrowthBytesPerSecond = 4_000_000_000;

    /// <summary>How long a victim may take to die before the guard picks another one.</summary>
    private static readonly TimeSpan VictimGrace = TimeSpan.FromSeconds(1);

    private readonly long _limitBytes;
    private readonly AgentLog _log;
    private readonly ConcurrentDictionary<int, int> _killedSessions = new();

    public MemoryGuard(long limitBytes, AgentLog log)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limitBytes, 1L << 20);
        _limitBytes = limitBytes;
        _log = log;
    }

    /// <summary>Runs on its own thread: a fork bomb that starves the thread pool must not starve the guard.</summary>
    public void Start() => new Thread(Run) { IsBackground = true, Name = "memory-guard" }.Start();

    /// <summary>True (once) when the guard killed a process of the session led by <paramref name="sessionId"/>.</summary>
    public bool TakeKill(int sessionId) => _killedSessions.TryRemove(sessionId, out _);

    /// <summary>Used bytes from /proc/meminfo's text; null when a field is missing.</summary>
    internal static long? UsedBytes(string meminfo)
    {
        long? total = null, available = null;
        foreach (var line in meminfo.Split('\n'))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal)) total = KiloBytes(line);
            else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)) available = KiloBytes(line);
        }

        return total is { } t && available is { } a ? Math.Max(0, t - a) * 1024 : null;
    }

    /// <summary>At or within one poll's worth (1 MiB, or 1/64 of a small limit) of the limit: the kernel reports no more than it has.</summary>
    internal static bool AtLimit(long usedBytes, long limitBytes) => usedBytes >= limitBytes - Math.Min(1L << 20, limitBytes / 64);

    /// <summary>How long memory growing at <see cref="AssumedGrowthBytesPerSecond"/> takes to close the gap to the limit, within [<see cref="MinInterval"/>, <see cref="MaxInterval"/>].</summary>
    internal static TimeSpan NextPoll(long usedBytes, long limitBytes)
    {
        var headroom = Math.Max(0, limitBytes - usedBytes);
        var reach = TimeSpan.FromSeconds((double)headroom / AssumedGrowthBytesPerSecond);
        return reach < MinInterval ? MinInterval : reach > MaxInterval ? MaxInterval : reach;
    }

    /// <summary>
    /// The process to kill: the largest resident set among the agent's descendants. Inside a sandbox the agent
    /// is pid 1 and that is every process; an agent run on a host for tests can never pick one it did not start.
    /// </summary>
    internal static (int Pid, int Session)? PickVictim(IReadOnlyList<ProcessEntry> processes, int agent)
    {
        var parents = processes.ToDictionary(p => p.Pid, p => p.Parent);
        bool Descends(int pid)
        {
            for (var hops = 0; hops < 4096 && parents.TryGetValue(pid, out var parent); hops++)
            {
                if (parent == agent) return true;
                pid = parent;
            }

            return false;
        }

        return processes.Where(p => p.ResidentPages > 0 && Descends(p.Pid))
            .OrderByDescending(p => p.ResidentPages)
            .Select(p => ((int, int)?)(p.Pid, p.Session))
            .FirstOrDefault();
    }

    internal readonly record struct ProcessEntry(int Pid, int Parent, int Session, long ResidentPages);

    private static long KiloBytes(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : 0;
    }

    private void Run()
    {
        var self = Environment.ProcessId;
        (int Pid, DateTime At)? lastVictim = null;
        SafeFileHandle? meminfo = null;
        var buffer = new byte[16 * 1024];
        var wait = MinInterval;
        while (true)
        {
            Thread.Sleep(wait);
            wait = MinInterval;
            try
            {
                // Opened once (and again only after a failed read); procfs regenerates the text on every read at offset 0.
                meminfo ??= File.OpenHandle("/proc/meminfo");
                var length = RandomAccess.Read(meminfo, buffer, 0);
                if (UsedBytes(Encoding.ASCII.GetString(buffer, 0, length)) is not { } used) continue;
                wait = NextPoll(used, _limitBytes);
                if (!AtLimit(used, _limitBytes)) continue;
                if (lastVictim is { } last && IsAlive(last.Pid) && DateTime.UtcNow - last.At < VictimGrace) continue;
                if (PickVictim([.. Processes()], self) is not { } victim) continue;

                _killedSessions[victim.Session] = victim.Pid;
                NativeProcess.Kill(victim.Pid, 9);
                lastVictim = (victim.Pid, DateTime.UtcNow);
                _log.Write($"memory limit {_limitBytes >> 20} MiB reached ({used >> 20} MiB used): killed pid {victim.Pid} (session {victim.Session})");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // /proc raced with an exiting process, or the agent was out of descriptors: the next poll tries again.
                meminfo?.Dispose();
                meminfo = null;
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static IEnumerable<ProcessEntry> Processes()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            ProcessEntry? entry = null;
            try
            {
                var statm = File.ReadAllText(Path.Combine(directory, "statm")).Split(' ');
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // After "pid (comm) ": state ppid pgrp session ...
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (statm.Length > 1 && fields.Length > 3
                    && long.TryParse(statm[1], NumberStyles.None, CultureInfo.InvariantCulture, out var resident)
                    && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
                    && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var session))
                {
                    entry = new ProcessEntry(pid, parent, session, resident);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
            {
                // Exited while we looked.
            }

            if (entry is { } found) yield return found;
        }
    }
}
