using System.Runtime.InteropServices;
using System.Text;
using Airlock.Native;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Guest.Exec;

/// <summary>
/// How the agent starts a command: the agent's own spawn (Native/spawn.c, linked into the Native AOT binary), whose
/// child resets only the signals the agent ever gave a disposition, or glibc's posix_spawn in a build without it
/// (the JIT build the guest tests can run). Both give the command the same start: a new session, every signal at its
/// default disposition and none blocked, the given stdio or terminal, working directory and environment.
/// </summary>
internal static unsafe partial class CommandSpawn
{
    private const string AgentNative = "airlock_native";

    /// <summary>
    /// Whether Native/spawn.c is linked in (every Native AOT build of the agent; never the JIT build, where the import
    /// finds no library). Finding out starts the read of the dispositions the agent inherited, which every linked spawn needs.
    /// </summary>
    private static readonly bool Linked = ProbeLinked();

    /// <summary>Called as the agent starts: reads the signal dispositions it inherited on a thread of their own, off the first exec's path.</summary>
    public static void Prepare() => _ = Linked;

    private static bool ProbeLinked()
    {
        try
        {
            // A thread that cannot start only moves the read into the first spawn.
            _ = airlock_spawn_prepare();
            return true;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    /// <returns>0, or the errno of the failed step (ENOENT, EACCES, ENOEXEC from the exec).</returns>
    public static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> environment, string? workingDirectory, SafeFileHandle stdin, SafeFileHandle stdout, SafeFileHandle stderr, out int pid)
    {
        if (!Linked) return NativeProcess.Spawn(path, argv, environment, workingDirectory, stdin, stdout, stderr, out pid);
        bool refIn = false, refOut = false, refErr = false;
        try
        {
            stdin.DangerousAddRef(ref refIn);
            stdout.DangerousAddRef(ref refOut);
            stderr.DangerousAddRef(ref refErr);
            return SpawnLinked(path, argv, environment, workingDirectory, (int)stdin.DangerousGetHandle(), (int)stdout.DangerousGetHandle(), (int)stderr.DangerousGetHandle(), terminal: null, out pid);
        }
        finally
        {
            if (refIn) stdin.DangerousRelease();
            if (refOut) stdout.DangerousRelease();
            if (refErr) stderr.DangerousRelease();
        }
    }

    /// <summary>Like <see cref="Spawn"/>, with the terminal replica <paramref name="terminalPath"/> as stdio and controlling terminal.</summary>
    public static int SpawnOnTerminal(string path, IReadOnlyList<string> argv, IReadOnlyList<string> environment, string? workingDirectory, string terminalPath, out int pid) =>
        Linked
            ? SpawnLinked(path, argv, environment, workingDirectory, -1, -1, -1, terminalPath, out pid)
            : NativeProcess.SpawnOnTerminal(path, argv, environment, workingDirectory, terminalPath, out pid);

    private static int SpawnLinked(string path, IReadOnlyList<string> argv, IReadOnlyList<string> environment, string? workingDirectory, int stdin, int stdout, int stderr, string? terminal, out int pid)
    {
        byte** argvBlock = NativeProcess.AllocStrings(argv);
        byte** envBlock = NativeProcess.AllocStrings(environment);
        try
        {
            fixed (byte* file = Utf8(path))
            fixed (byte* cwd = workingDirectory is null ? null : Utf8(workingDirectory))
            fixed (byte* replica = terminal is null ? null : Utf8(terminal))
            {
                int child;
                int rc = airlock_spawn(file, argvBlock, envBlock, cwd, stdin, stdout, stderr, replica, &child);
                pid = rc == 0 ? child : 0;
                return rc;
            }
        }
        finally
        {
            NativeProcess.FreeStrings(argvBlock, argv.Count);
            NativeProcess.FreeStrings(envBlock, environment.Count);
        }
    }

    private static byte[] Utf8(string value) => Encoding.UTF8.GetBytes(value + "\0");

    [LibraryImport(AgentNative)]
    private static partial int airlock_spawn(byte* path, byte** argv, byte** envp, byte* cwd, int stdin, int stdout, int stderr, byte* terminal, int* pid);

    [LibraryImport(AgentNative)]
    private static partial int airlock_spawn_prepare();
}
