using System.Globalization;
using Airlock.Native;

namespace Airlock.Guest.Bridge;

/// <summary>
/// <c>airlock-agent runsc-exec --scratch DIR --mem-total BYTES [--netns PATH] [--cgroup PROCS]... [--hold] -- RUNSC [ARG...]</c>, on the
/// host, as root: how a gVisor sandbox's <c>runsc run</c> starts. In order, all in this one process:
/// <list type="number">
/// <item>a session of its own (a daemon's Ctrl-C or exit never reaches the sandbox);</item>
/// <item>into the sandbox's cgroups, already made and limited by the engine (every <c>cgroup.procs</c> given), so runsc's
/// gofer and sentry are born inside them. runsc runs with <c>--ignore-cgroups</c>: it would otherwise join them itself and
/// move back out, two cgroup migrations, each a kernel RCU grace period (~8-14 ms here) while runsc waits. In a v1
/// hierarchy the launcher joins through <c>tasks</c>, thread by thread, which needs no grace period (see Join);</item>
/// <item>into the sandbox's network namespace, when it has one;</item>
/// <item>with <c>--hold</c>, a wait for one byte on standard input: the engine starts the launcher before the sandbox's
/// disk and config.json exist and says go once they do, so this process's own start (~5 ms) and the steps so far (a
/// kernel RCU grace period of 5-23 ms where a join has to go through <c>cgroup.procs</c>) overlap the engine's; standard
/// input ending without the byte (the create failed, or the engine died) ends the launcher with nothing started;</item>
/// <item>a private mount namespace in which <c>/proc/meminfo</c> says MemTotal = the sandbox's memory limit (runsc sizes
/// the sentry from it, which is what programs inside see as their machine's memory; with cgroups ignored runsc would read
/// the host's), a fully visible procfs beside it on a tmpfs at DIR (the kernel lets runsc's gofer and sentry mount their
/// own proc in their user namespaces only while some proc mount is), and for a network namespace an empty
/// <c>/proc/sys/net/core</c> (see GvisorBackend: this runsc takes that directory as proof of the host's namespace): made
/// after the hold, since a copy of the host's mounts taken before the engine mounted the sandbox's root lacks it;</item>
/// <item>standard streams on /dev/null, then exec.</item>
/// </list>
/// Everything mounted here exists only in the namespace runsc's processes share, and goes with the last of them.
/// </summary>
internal static class RunscLauncher
{
    public const string Usage = "airlock-agent runsc-exec --scratch DIR --mem-total BYTES [--netns PATH] [--cgroup PROCS]... [--hold] -- PROGRAM [ARG...]";

    /// <summary>The exit code of a held launcher whose standard input ended before the go.</summary>
    public const int NotReleased = 3;

    private const ulong Quiet = HostMountCalls.NoSuid | HostMountCalls.NoDev | HostMountCalls.NoExec;

    internal sealed record Options(string Scratch, long MemTotalBytes, string? NetworkNamespace, IReadOnlyList<string> CgroupProcs, bool Hold, IReadOnlyList<string> Command);

    /// <summary>
    /// Returns only on failure: 2 for a bad command line, 1 when a step or the exec failed (said on stderr),
    /// <see cref="NotReleased"/> when held and never told to go.
    /// </summary>
    public static int Run(string[] args)
    {
        if (Parse(args, out var error) is not { } options)
        {
            Console.Error.WriteLine($"airlock-agent runsc-exec: {error}\nusage: {Usage}");
            return 2;
        }

        if (Join(options) is { } joinFailure)
        {
            Console.Error.WriteLine("airlock-agent runsc-exec: " + joinFailure);
            return 1;
        }

        if (options.Hold && !LaunchCalls.AwaitGoOnStandardInput(out var readError))
        {
            Console.Error.WriteLine(readError == 0
                ? "airlock-agent runsc-exec: standard input ended before the go; nothing was started"
                : $"airlock-agent runsc-exec: cannot read the go from standard input: {Errno.Message(readError)}");
            return NotReleased;
        }

        if (MountView(options) is { } mountFailure)
        {
            Console.Error.WriteLine("airlock-agent runsc-exec: " + mountFailure);
            return 1;
        }

        if (LaunchCalls.RedirectStandardStreamsToNull(out var savedError) is var redirect and not 0)
        {
            Console.Error.WriteLine($"airlock-agent runsc-exec: cannot put /dev/null on the standard streams: {Errno.Message(redirect)}");
            return 1;
        }

        var exec = NativeProcess.Exec(options.Command);
        LaunchCalls.WriteLine(savedError, $"airlock-agent runsc-exec: cannot run {options.Command[0]}: {Errno.Message(exec)}");
        return 1;
    }

    internal static Options? Parse(string[] args, out string error)
    {
        error = "";
        string? scratch = null, netns = null;
        long? memTotal = null;
        var hold = false;
        var cgroups = new List<string>();
        var i = args is ["runsc-exec", ..] ? 1 : args.Length;
        while (i < args.Length && args[i] != "--")
        {
            if (args[i] == "--hold")
            {
                hold = true;
                i++;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{args[i]} needs a value";
                return null;
            }

            var value = args[i + 1];
            switch (args[i])
            {
                case "--scratch" when Path.IsPathFullyQualified(value):
                    scratch = value;
                    break;
                case "--mem-total" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes >= 1 << 20:
                    memTotal = bytes;
                    break;
                case "--netns" when Path.IsPathFullyQualified(value):
                    netns = value;
                    break;
                case "--cgroup" when Path.IsPathFullyQualified(value) && Path.GetFileName(value) == "cgroup.procs":
                    cgroups.Add(value);
                    break;
                default:
                    error = $"unexpected {args[i]} {value}";
                    return null;
            }

            i += 2;
        }

        if (scratch is null || memTotal is null || i >= args.Length - 1)
        {
            error = "--scratch, --mem-total and a program after -- are required";
            return null;
        }

        return new Options(scratch, memTotal.Value, netns, cgroups, hold, args[(i + 1)..]);
    }

    /// <summary>What /proc/meminfo reads in runsc's namespace: the limit as the machine's memory, all of it free.</summary>
    internal static string MemInfo(long bytes)
    {
        var kb = (bytes / 1024).ToString(CultureInfo.InvariantCulture);
        return $"MemTotal:       {kb,10} kB\nMemFree:        {kb,10} kB\nMemAvailable:   {kb,10} kB\n"
            + "Buffers:                 0 kB\nCached:                  0 kB\nSwapTotal:               0 kB\nSwapFree:                0 kB\n";
    }

    /// <summary>The session, the cgroups and the network namespace; null, or what failed.</summary>
    private static string? Join(Options options)
    {
        if (LaunchCalls.NewSession() is var session and not 0) return $"cannot start a session: {Errno.Message(session)}";
        foreach (var procs in options.CgroupProcs)
        {
            try
            {
                // "0" is the writer itself (cgroups(7)); everything it starts from now on is born in the cgroup. In a v1
                // hierarchy, through its tasks file: that moves only the calling thread, and the kernel then skips the
                // lock whose write side waits for an RCU grace period (0.3 ms for every hierarchy against 5-23 ms here);
                // this thread is the one that execs, after which it is the whole process.
                var tasks = Path.Combine(Path.GetDirectoryName(procs)!, "tasks");
                File.WriteAllText(File.Exists(tasks) ? tasks : procs, "0");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return $"cannot join {Path.GetDirectoryName(procs)}: {e.Message}";
            }
        }

        if (options.NetworkNamespace is { } netns && LaunchCalls.EnterNetworkNamespace(netns) is var entered and not 0)
        {
            return $"cannot enter network namespace {netns}: {Errno.Message(entered)}";
        }

        return null;
    }

    /// <summary>
    /// The private mount namespace and what is mounted in it; null, or what failed. After the hold: a copy of the host's
    /// mounts made before the engine mounted the sandbox's root would never see that root.
    /// </summary>
    private static string? MountView(Options options)
    {
        if (LaunchCalls.PrivateMountNamespace() is var unshared and not 0) return $"cannot make a mount namespace: {Errno.Message(unshared)}";
        var meminfo = Path.Combine(options.Scratch, "meminfo");
        var proc = Path.Combine(options.Scratch, "proc");
        if (HostMountCalls.Mount("airlock-runsc", options.Scratch, "tmpfs", Quiet, "size=16k,mode=755") is var tmpfs and not 0)
        {
            return $"cannot mount a tmpfs at {options.Scratch}: {Errno.Message(tmpfs)}";
        }

        File.WriteAllText(meminfo, MemInfo(options.MemTotalBytes));
        Directory.CreateDirectory(proc);
        if (HostMountCalls.Mount("proc", proc, "proc", Quiet, null) is var procMount and not 0) return $"cannot mount proc at {proc}: {Errno.Message(procMount)}";
        if (HostMountCalls.Mount(meminfo, "/proc/meminfo", "", HostMountCalls.Bind, null) is var bind and not 0)
        {
            return $"cannot bind {meminfo} over /proc/meminfo: {Errno.Message(bind)}";
        }

        if (options.NetworkNamespace is not null
            && HostMountCalls.Mount("airlock-netns-check", "/proc/sys/net/core", "tmpfs", Quiet, "size=4k,mode=555") is var core and not 0)
        {
            return $"cannot hide /proc/sys/net/core: {Errno.Message(core)}";
        }

        return null;
    }
}
