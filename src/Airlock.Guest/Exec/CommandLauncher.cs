using System.Collections;
using System.IO.Pipes;
using Airlock.Guest.Files;
using Airlock.Guest.Protocol;
using Airlock.Native;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Guest.Exec;

/// <summary>
/// Turns an exec request into a running command: environment, working directory, PATH lookup,
/// O_CLOEXEC pipes, a spawn in a new session (<see cref="NativeProcess.Spawn"/>, see <see cref="CommandSpawn"/>), and an OOM score the kernel will pick before the agent.
/// </summary>
internal sealed partial class CommandLauncher
{
    public const string DefaultWorkingDirectory = "/workspace";

    private static readonly KeyValuePair<string, string>[] DefaultEnvironment =
    [
        new("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
        new("HOME", "/root"),
        new("LANG", "C.UTF-8"),
        new("TERM", "xterm"),
    ];

    private readonly Reaper _reaper;
    private readonly string _root;
    private readonly List<KeyValuePair<string, string>> _sandboxEnvironment = [];

    private readonly int? _childTasks;

    /// <summary>Whether commands go into the guest's commands cgroup (<see cref="GuestCgroups"/>, the microVM tier).</summary>
    private readonly bool _guestCgroups;

    /// <summary>The agent's own OOM killer where the sandbox's kernel has none the host relies on (gVisor); else null.</summary>
    public MemoryGuard? MemoryGuard { get; }

    public CommandLauncher(Reaper reaper, string rootPath, int? childTasks = null, MemoryGuard? memoryGuard = null, bool guestCgroups = false)
    {
        _childTasks = childTasks;
        MemoryGuard = memoryGuard;
        _guestCgroups = guestCgroups;
        _reaper = reaper;
        _root = rootPath;

        // The host passes sandbox-wide variables as the agent's own environment. The defaults' names
        // (and anything starting with them) come from the defaults, not from how the agent was started.
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            string name = (string)entry.Key;
            if (!DefaultEnvironment.Any(d => name.StartsWith(d.Key, StringComparison.Ordinal)))
            {
                _sandboxEnvironment.Add(new(name, (string?)entry.Value ?? ""));
            }
        }
    }

    public bool TryLaunch(GuestRequest request, out LaunchedCommand? command, out LaunchFailure? failure)
    {
        command = null;
        if (!TryPrepare(request, out var argv, out var executable, out var envp, out var cwd, out failure))
        {
            return false;
        }

        CheckPipe(NativeProcess.CreatePipe(out SafeFileHandle stdinRead, out SafeFileHandle stdinWrite));
        CheckPipe(NativeProcess.CreatePipe(out SafeFileHandle stdoutRead, out SafeFileHandle stdoutWrite));
        CheckPipe(NativeProcess.CreatePipe(out SafeFileHandle stderrRead, out SafeFileHandle stderrWrite));
        int spawnError = 0;
        int pid;
        Task<int> exit;
        var taskLimit = TaskLimit();
        long? oomKillsAtStart = _guestCgroups ? GuestCgroups.OomKills() : null;
        using (stdinRead)
        using (stdoutWrite)
        using (stderrWrite)
        {
            pid = _reaper.Spawn(
                () =>
                {
                    spawnError = NativeProcess.Spawn(executable, argv, envp, cwd, stdinRead, stdoutWrite, stderrWrite, taskLimit, out int child);
                    return spawnError == 0 ? child : -1;
                },
                out exit);
        }

        if (spawnError != 0)
        {
            stdinWrite.Dispose();
            stdoutRead.Dispose();
            stderrRead.Dispose();
            failure = spawnError == Errno.ENOENT
                ? new LaunchFailure(127, $"airlock: {argv[0]}: command not found")
                : new LaunchFailure(126, $"airlock: {argv[0]}: {Errno.Message(spawnError)}");
            return false;
        }

        if (_guestCgroups) GuestCgroups.Adopt(pid);
        ResetOomScore(pid);
        if (!request.HasStdin)
        {
            stdinWrite.Dispose(); // the command sees an empty stdin
        }

        command = new LaunchedCommand
        {
            Pid = pid,
            Command = argv,
            Stdin = request.HasStdin ? ToPipe(stdinWrite, PipeDirection.Out) : null,
            Stdout = ToPipe(stdoutRead, PipeDirection.In),
            Stderr = ToPipe(stderrRead, PipeDirection.In),
            Exit = exit,
            GuestOomKillsAtStart = oomKillsAtStart,
        };
        return true;
    }

    /// <summary>Validates the request and resolves what the spawn needs; false with a shell-like failure (127, 126).</summary>
    private bool TryPrepare(GuestRequest request, out IReadOnlyList<string> argv, out string executable, out string[] envp, out string cwd, out LaunchFailure? failure)
    {
        argv = request.Argv ?? [];
        executable = "";
        envp = [];
        if (argv.Count == 0 || argv[0].Length == 0)
        {
            throw AirlockException.Invalid("a command is required");
        }

        if (argv.Any(a => a.Contains('\0')))
        {
            throw AirlockException.Invalid("command arguments must not contain NUL bytes");
        }

        Dictionary<string, string> env = BuildEnvironment(request.Env);
        cwd = ResolveWorkingDirectory(request.Cwd);
        string? resolved = ResolveExecutable(argv[0], env["PATH"], cwd, out failure);
        if (resolved is null)
        {
            return false;
        }

        executable = resolved;
        envp = env.Select(kv => kv.Key + "=" + kv.Value).ToArray();
        return true;
    }

    private Dictionary<string, string> BuildEnvironment(IReadOnlyDictionary<string, string>? requested)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in DefaultEnvironment.Concat(_sandboxEnvironment))
        {
            env[name] = value;
        }

        foreach (var (name, value) in requested ?? new Dictionary<string, string>())
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0') || value.Contains('\0'))
            {
                throw AirlockException.Invalid($"invalid environment variable name or value: '{name}'");
            }

            env[name] = value;
        }

        return env;
    }

    /// <summary>
    /// The working directory on the agent's file system. The default (/workspace) falls back to the
    /// root when the image has none; any other missing directory is the caller's mistake.
    /// </summary>
    private string ResolveWorkingDirectory(string? requested)
    {
        string path = string.IsNullOrEmpty(requested) ? DefaultWorkingDirectory : requested;
        string[] parts = SandboxPath.Split(path);
        string host = parts.Length == 0 ? _root : Path.Join(_root, string.Join('/', parts));
        if (Directory.Exists(host))
        {
            return host;
        }

        if (SandboxPath.Join(parts) == DefaultWorkingDirectory)
        {
            return _root;
        }

        throw AirlockException.NotFound($"working directory '{path}' does not exist");
    }

    /// <summary>
    /// PATH lookup with the command's own PATH (posix_spawnp would use the agent's), reporting
    /// not-found (127) and not-executable (126) the way a shell does.
    /// </summary>
    private static string? ResolveExecutable(string name, string path, string cwd, out LaunchFailure? failure)
    {
        failure = null;
        if (name.Contains('/'))
        {
            string candidate = Path.IsPathRooted(name) ? name : Path.Join(cwd, name);
            if (Directory.Exists(candidate))
            {
                failure = new LaunchFailure(126, $"airlock: {name}: Is a directory");
                return null;
            }

            if (!File.Exists(candidate))
            {
                failure = new LaunchFailure(127, $"airlock: {name}: No such file or directory");
                return null;
            }

            if (!IsExecutable(candidate))
            {
                failure = new LaunchFailure(126, $"airlock: {name}: Permission denied");
                return null;
            }

            return candidate;
        }

        bool sawNonExecutable = false;
        foreach (string dir in path.Split(':'))
        {
            string directory = dir.Length == 0 ? cwd : Path.IsPathRooted(dir) ? dir : Path.Join(cwd, dir);
            string candidate = Path.Join(directory, name);
            if (File.Exists(candidate))
            {
                if (IsExecutable(candidate))
                {
                    return candidate;
                }

                sawNonExecutable = true;
            }
        }

        failure = sawNonExecutable
            ? new LaunchFailure(126, $"airlock: {name}: Permission denied")
            : new LaunchFailure(127, $"airlock: {name}: command not found");
        return null;
    }

    private static bool IsExecutable(string file)
    {
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        try
        {
            return (File.GetUnixFileMode(file) & anyExecute) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// The host pins the agent at oom_score_adj -1000 and children inherit it; raising it back to 0
    /// (allowed unprivileged) makes the OOM killer pick the command, never the agent.
    /// </summary>
    private static void ResetOomScore(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/oom_score_adj", "0");
        }
        catch (Exception)
        {
            // Best effort: the process may already be gone, or /proc read-only.
        }
    }

    /// <summary>
    /// The RLIMIT_NPROC a command starts with, or null when the sandbox sets no task budget. RLIMIT_NPROC counts every
    /// task of the sandbox's root, the agent's threads included, so the command gets its budget plus the threads the
    /// agent has now; the agent's own limit is AgentContract.AgentTaskReserve higher, which keeps room for the threads it
    /// may still need (a thread pool that cannot start one aborts the process). The spawn sets it before the command's
    /// first instruction (see NativeProcess.Spawn): set afterwards, a fork bomb that forked first filled the agent's
    /// room as well, and under gVisor ended the sandbox (the runtime's "OutOfMemoryException" from Thread.StartCore).
    /// </summary>
    private ulong? TaskLimit()
    {
        if (_childTasks is not { } tasks) return null;
        int agentThreads;
        try
        {
            agentThreads = Directory.GetDirectories("/proc/self/task").Length;
        }
        catch (IOException)
        {
            agentThreads = 0;
        }

        return (ulong)(tasks + agentThreads);
    }

    private static AnonymousPipeClientStream ToPipe(SafeFileHandle handle, PipeDirection direction)
    {
        // PipeStream on Unix does epoll-based async reads and writes: no thread blocks per command.
        var pipe = new SafePipeHandle(handle.DangerousGetHandle(), ownsHandle: true);
        handle.SetHandleAsInvalid();
        return new AnonymousPipeClientStream(direction, pipe);
    }

    private static void CheckPipe(int errno)
    {
        if (errno != 0)
        {
            throw new AirlockException(AirlockErrorKind.Internal, $"cannot create a pipe: {Errno.Message(errno)}");
        }
    }
}
