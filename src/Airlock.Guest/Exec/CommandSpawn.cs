using System.Runtime.InteropServices;
using Airlock.Native;

namespace Airlock.Guest.Exec;

/// <summary>
/// The agent's own spawn (Native/spawn.c, linked into the Native AOT binary), whose child resets only the signals the
/// agent ever gave a disposition: registered with <see cref="NativeProcess.UseLinkedSpawn"/> as the agent starts, so
/// every <see cref="NativeProcess.Spawn"/> uses it. The JIT build (which the guest tests can run) has no spawn.c, and
/// keeps glibc's posix_spawn. Both give a command the same start: a new session, every signal at its default
/// disposition and none blocked, the given stdio or terminal, working directory and environment.
/// </summary>
internal static unsafe partial class CommandSpawn
{
    private const string AgentNative = "airlock_native";

    /// <summary>
    /// Called as the agent starts: if spawn.c is linked in, starts reading the signal dispositions the agent inherited on
    /// a thread of their own (off the first exec's path; a thread that cannot start only moves the read into the first
    /// spawn) and registers the spawn. Without spawn.c the import finds no library.
    /// </summary>
    public static void Prepare()
    {
        try
        {
            _ = airlock_spawn_prepare();
        }
        catch (DllNotFoundException)
        {
            return;
        }

        NativeProcess.UseLinkedSpawn(&airlock_spawn);
    }

    [LibraryImport(AgentNative)]
    private static partial int airlock_spawn(byte* path, byte** argv, byte** envp, byte* cwd, int stdin, int stdout, int stderr, byte* terminal, ulong taskLimit, int* pid);

    [LibraryImport(AgentNative)]
    private static partial int airlock_spawn_prepare();
}
