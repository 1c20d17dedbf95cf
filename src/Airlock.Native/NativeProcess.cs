using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Native;

/// <summary>
/// Process primitives for an init process: a spawn (glibc's posix_spawn, or a linked one, see
/// <see cref="UseLinkedSpawn"/>) without inheriting the runtime's signal dispositions, pipes that never leak, and a blocking waitpid for a single reaper thread.
/// Methods return 0 or an errno.
/// </summary>
public static unsafe class NativeProcess
{
    private const short PosixSpawnSetSigDef = 0x04;
    private const short PosixSpawnSetSigMask = 0x08;
    private const short PosixSpawnSetSid = 0x80;
    private const int PrSetChildSubreaper = 36;

    /// <summary>pipe2(2) with O_CLOEXEC: neither end survives an exec unless dup2'd onto 0/1/2.</summary>
    public static int CreatePipe(out SafeFileHandle readEnd, out SafeFileHandle writeEnd)
    {
        int* fds = stackalloc int[2];
        if (Libc.pipe2(fds, OpenFlags.CloseOnExec) != 0)
        {
            readEnd = new SafeFileHandle();
            writeEnd = new SafeFileHandle();
            return Marshal.GetLastPInvokeError();
        }

        readEnd = new SafeFileHandle(fds[0], ownsHandle: true);
        writeEnd = new SafeFileHandle(fds[1], ownsHandle: true);
        return 0;
    }

    /// <summary>
    /// Starts <paramref name="path"/> (already resolved: no PATH search) in a new session
    /// (so its pid is also its process-group id), with every signal at its default disposition
    /// and an empty signal mask (the .NET runtime ignores SIGPIPE; a command must not inherit that),
    /// the given stdio and working directory, exactly <paramref name="environment"/> as its environment, and
    /// <paramref name="taskLimit"/> (when given) as its RLIMIT_NPROC: how many tasks its user may hold before its fork
    /// fails with EAGAIN, inherited by everything it starts. The linked spawn sets that limit in the child before the
    /// exec; glibc's posix_spawn cannot, so there it is set right after the spawn returns, when a command that forks at
    /// once may already have (the JIT build's fallback, for tests on a host).
    /// </summary>
    /// <returns>0, or the errno of the failed exec (ENOENT, EACCES, ENOEXEC, ...).</returns>
    public static int Spawn(
        string path,
        IReadOnlyList<string> argv,
        IReadOnlyList<string> environment,
        string? workingDirectory,
        SafeFileHandle stdin,
        SafeFileHandle stdout,
        SafeFileHandle stderr,
        ulong? taskLimit,
        out int pid) =>
        SpawnCore(path, argv, environment, workingDirectory, stdin, stdout, stderr, terminal: null, taskLimit, out pid);

    /// <summary>
    /// Like <see cref="Spawn(string, IReadOnlyList{string}, IReadOnlyList{string}, string?, SafeFileHandle, SafeFileHandle, SafeFileHandle, ulong?, out int)"/>,
    /// but the child's stdio is the pseudo-terminal replica <paramref name="terminalPath"/>. glibc runs the file actions
    /// after <c>setsid</c>, so opening the replica (without O_NOCTTY) makes it the new session's controlling terminal and
    /// the child's group its foreground group, as TIOCSCTTY would; the same rule holds under gVisor and in the microVM.
    /// </summary>
    public static int SpawnOnTerminal(
        string path,
        IReadOnlyList<string> argv,
        IReadOnlyList<string> environment,
        string? workingDirectory,
        string terminalPath,
        ulong? taskLimit,
        out int pid)
    {
        using var none = new SafeFileHandle();
        return SpawnCore(path, argv, environment, workingDirectory, none, none, none, terminalPath, taskLimit, out pid);
    }

    /// <summary>
    /// The spawn linked into the running binary (the agent's Native/spawn.c), if it registered one: same arguments and
    /// result as <see cref="SpawnCore"/> after marshalling (path, argv, envp, cwd or null, stdin, stdout, stderr or -1,
    /// terminal or null, task limit or 0, pid out). Without one, glibc's posix_spawn.
    /// </summary>
    private static delegate*<byte*, byte**, byte**, byte*, int, int, int, byte*, ulong, int*, int> s_linkedSpawn;

    /// <summary>
    /// Makes every later <see cref="Spawn"/> and <see cref="SpawnOnTerminal"/> call <paramref name="spawn"/> instead of
    /// glibc's posix_spawn. It must give the command the same start (see <see cref="Spawn"/>).
    /// </summary>
    public static void UseLinkedSpawn(delegate*<byte*, byte**, byte**, byte*, int, int, int, byte*, ulong, int*, int> spawn) => s_linkedSpawn = spawn;

    private static int SpawnCore(
        string path,
        IReadOnlyList<string> argv,
        IReadOnlyList<string> environment,
        string? workingDirectory,
        SafeFileHandle stdin,
        SafeFileHandle stdout,
        SafeFileHandle stderr,
        string? terminal,
        ulong? taskLimit,
        out int pid)
    {
        pid = 0;
        byte** argvBlock = AllocStrings(argv);
        byte** envBlock = AllocStrings(environment);
        bool refIn = false, refOut = false, refErr = false;
        try
        {
            if (terminal is null)
            {
                stdin.DangerousAddRef(ref refIn);
                stdout.DangerousAddRef(ref refOut);
                stderr.DangerousAddRef(ref refErr);
            }

            (int In, int Out, int Err) stdio = terminal is null
                ? ((int)stdin.DangerousGetHandle(), (int)stdout.DangerousGetHandle(), (int)stderr.DangerousGetHandle())
                : (-1, -1, -1);
            int childPid;
            int rc;
            fixed (byte* file = NativeFs.Utf8(path))
            fixed (byte* cwd = workingDirectory is null ? null : NativeFs.Utf8(workingDirectory))
            fixed (byte* replica = terminal is null ? null : NativeFs.Utf8(terminal))
            {
                rc = s_linkedSpawn is not null
                    ? s_linkedSpawn(file, argvBlock, envBlock, cwd, stdio.In, stdio.Out, stdio.Err, replica, taskLimit ?? 0, &childPid)
                    : PosixSpawn(file, argvBlock, envBlock, cwd, stdio, replica, &childPid);
            }

            // Best effort, if the command has already exited.
            if (rc == 0 && s_linkedSpawn is null && taskLimit is { } tasks) _ = LimitTasks(childPid, tasks);

            pid = rc == 0 ? childPid : 0;
            return rc;
        }
        finally
        {
            if (refIn) stdin.DangerousRelease();
            if (refOut) stdout.DangerousRelease();
            if (refErr) stderr.DangerousRelease();
            FreeStrings(argvBlock, argv.Count);
            FreeStrings(envBlock, environment.Count);
        }
    }

    /// <summary>glibc's posix_spawn with the attributes and file actions <see cref="Spawn"/> promises.</summary>
    private static int PosixSpawn(byte* path, byte** argv, byte** envp, byte* cwd, (int In, int Out, int Err) stdio, byte* terminal, int* pid)
    {
        // glibc: posix_spawnattr_t is 336 bytes, posix_spawn_file_actions_t 80, sigset_t 128; leave headroom.
        byte* attr = stackalloc byte[1024];
        byte* actions = stackalloc byte[512];
        byte* sigset = stackalloc byte[256];
        new Span<byte>(attr, 1024).Clear();
        new Span<byte>(actions, 512).Clear();

        // posix_spawn* return an errno (0 on success); sig*set return -1 only for a bad argument.
        int rc = Libc.posix_spawnattr_init(attr);
        rc = rc != 0 ? rc : Libc.posix_spawn_file_actions_init(actions);
        try
        {
            rc = rc != 0 ? rc : (Libc.sigfillset(sigset) == 0 ? 0 : Errno.EINVAL);
            rc = rc != 0 ? rc : Libc.posix_spawnattr_setsigdefault(attr, sigset);
            rc = rc != 0 ? rc : (Libc.sigemptyset(sigset) == 0 ? 0 : Errno.EINVAL);
            rc = rc != 0 ? rc : Libc.posix_spawnattr_setsigmask(attr, sigset);
            rc = rc != 0 ? rc : Libc.posix_spawnattr_setflags(attr, (short)(PosixSpawnSetSigDef | PosixSpawnSetSigMask | PosixSpawnSetSid));
            if (terminal is null)
            {
                rc = rc != 0 ? rc : Libc.posix_spawn_file_actions_adddup2(actions, stdio.In, 0);
                rc = rc != 0 ? rc : Libc.posix_spawn_file_actions_adddup2(actions, stdio.Out, 1);
                rc = rc != 0 ? rc : Libc.posix_spawn_file_actions_adddup2(actions, stdio.Err, 2);
            }
            else
            {
                // glibc copies the path; O_RDWR without O_NOCTTY acquires the controlling terminal.
                rc = rc != 0 ? rc : Libc.posix_spawn_file_actions_addopen(actions, 0, terminal, 0x2, 0);
                rc = rc != 0 ? rc : Libc.posix_spawn_file_actions_adddup2(actions, 0, 1);
                rc = rc != 0 ? rc : Libc.posix_spawn_file_actions_adddup2(actions, 0, 2);
            }

            // glibc copies the path into the actions object.
            if (cwd is not null) rc = rc != 0 ? rc : Libc.posix_spawn_file_actions_addchdir_np(actions, cwd);
            return rc != 0 ? rc : Libc.posix_spawn(pid, path, actions, attr, argv, envp);
        }
        finally
        {
            _ = Libc.posix_spawn_file_actions_destroy(actions);
            _ = Libc.posix_spawnattr_destroy(attr);
        }
    }

    /// <summary>Blocks in waitpid(-1) until any child ends. ECHILD when there are none.</summary>
    public static int WaitAny(out int pid, out int status)
    {
        int s;
        while (true)
        {
            int rc = Libc.waitpid(-1, &s, 0);
            if (rc > 0)
            {
                pid = rc;
                status = s;
                return 0;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                pid = 0;
                status = 0;
                return errno;
            }
        }
    }

    /// <summary>prlimit(RLIMIT_NPROC) on another process (see <see cref="Spawn"/>).</summary>
    private static int LimitTasks(int pid, ulong tasks)
    {
        const int RlimitNproc = 6;
        var limits = stackalloc ulong[2] { tasks, tasks };
        return Libc.prlimit(pid, RlimitNproc, limits, null) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>execvp(3): replaces this process (descriptors without close-on-exec stay open); returns only on failure, with the errno.</summary>
    public static int Exec(IReadOnlyList<string> argv)
    {
        var buffers = argv.Select(a => Encoding.UTF8.GetBytes(a + "\0")).ToArray();
        var handles = buffers.Select(b => GCHandle.Alloc(b, GCHandleType.Pinned)).ToArray();
        try
        {
            var pointers = stackalloc byte*[buffers.Length + 1];
            for (var i = 0; i < buffers.Length; i++) pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
            pointers[buffers.Length] = null;
            _ = Libc.execvp(pointers[0], pointers);
            return Marshal.GetLastPInvokeError();
        }
        finally
        {
            foreach (var handle in handles) handle.Free();
        }
    }

    /// <summary>kill(2); a negative <paramref name="pid"/> signals the whole process group.</summary>
    public static int Kill(int pid, int signal) => Libc.kill(pid, signal) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>
    /// prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants reparent to this process even when it is not
    /// pid 1 (agent run directly on a host in tests), so the reaper sees them exactly as it would as init.
    /// </summary>
    public static int BecomeSubreaper() =>
        Libc.prctl(PrSetChildSubreaper, 1, 0, 0, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>
    /// close_range(3, ~0, CLOSE_RANGE_CLOEXEC): whatever descriptors the agent inherited from the process
    /// that started it (a runtime's preserved fds, a test runner's pipes) must not reach commands.
    /// </summary>
    public static int MarkInheritedDescriptorsCloseOnExec() =>
        Libc.close_range(3, uint.MaxValue, 0x4) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Decodes a wait status: the exit code, or the terminating signal.</summary>
    public static (int? ExitCode, int? Signal) DecodeWaitStatus(int status)
    {
        int low = status & 0x7f;
        return low == 0 ? ((status >> 8) & 0xff, null) : (null, low);
    }

    private static byte** AllocStrings(IReadOnlyList<string> values)
    {
        byte** block = (byte**)NativeMemory.AllocZeroed((nuint)(values.Count + 1), (nuint)sizeof(byte*));
        for (int i = 0; i < values.Count; i++)
        {
            byte[] utf8 = NativeFs.Utf8(values[i]);
            byte* copy = (byte*)NativeMemory.Alloc((nuint)utf8.Length);
            utf8.CopyTo(new Span<byte>(copy, utf8.Length));
            block[i] = copy;
        }

        return block;
    }

    private static void FreeStrings(byte** block, int count)
    {
        for (int i = 0; i < count; i++)
        {
            NativeMemory.Free(block[i]);
        }

        NativeMemory.Free(block);
    }
}
