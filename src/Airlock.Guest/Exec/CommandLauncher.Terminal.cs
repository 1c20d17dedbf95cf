using Airlock.Guest.Protocol;
using Airlock.Native;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Guest.Exec;

internal sealed partial class CommandLauncher
{
    /// <summary>
    /// Starts a command on a new pseudo-terminal of <paramref name="columns"/> x <paramref name="rows"/>: its own session,
    /// the replica as its controlling terminal and stdio; the agent keeps the master.
    /// </summary>
    public bool TryLaunchOnTerminal(GuestRequest request, ushort columns, ushort rows, out TerminalCommand? command, out LaunchFailure? failure)
    {
        command = null;
        if (!TryPrepare(request, out var argv, out var executable, out var envp, out var cwd, out failure))
        {
            return false;
        }

        int rc = NativeTerminal.OpenPseudoTerminal(columns, rows, out SafeFileHandle master, out string replica);
        if (rc != 0)
        {
            throw new AirlockException(AirlockErrorKind.Internal, $"cannot open a pseudo-terminal in the sandbox: {Errno.Message(rc)}");
        }

        int spawnError = 0;
        var taskLimit = TaskLimit();
        int pid = _reaper.Spawn(
            () =>
            {
                spawnError = NativeProcess.SpawnOnTerminal(executable, argv, envp, cwd, replica, taskLimit, out int child);
                return spawnError == 0 ? child : -1;
            },
            out Task<int> exit);
        if (spawnError != 0)
        {
            master.Dispose();
            failure = spawnError == Errno.ENOENT
                ? new LaunchFailure(127, $"airlock: {argv[0]}: command not found")
                : new LaunchFailure(126, $"airlock: {argv[0]}: {Errno.Message(spawnError)}");
            return false;
        }

        if (_guestCgroups) GuestCgroups.Adopt(pid);
        ResetOomScore(pid);
        command = new TerminalCommand(pid, argv, master, exit);
        return true;
    }
}
