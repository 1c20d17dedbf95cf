using Airlock.Native;

namespace Airlock.Guest.Exec;

/// <summary>
/// The only caller of wait: one thread blocks in waitpid(-1) and hands each exit status to whoever
/// spawned that pid. As pid 1 (or a subreaper) every orphan reparents here, so unknown pids are reaped
/// and dropped: no zombie survives. Spawning happens under the same lock as the lookup, so a command
/// that exits before its pid is registered is still matched.
/// </summary>
internal sealed class Reaper
{
    private readonly object _gate = new();
    private readonly Dictionary<int, TaskCompletionSource<int>> _waiting = [];
    private readonly AgentLog _log;
    private int _startsSinceIdle;

    public Reaper(AgentLog log)
    {
        _log = log;
    }

    public void Start()
    {
        if (NativeProcess.BecomeSubreaper() != 0 && Environment.ProcessId != 1)
        {
            _log.Write("cannot become a child subreaper; orphans will not be reaped here");
        }

        new Thread(Run) { IsBackground = true, Name = "reaper" }.Start();
    }

    /// <summary>Runs <paramref name="spawn"/> (which returns a pid) and registers it before the reaper can look it up.</summary>
    public int Spawn(Func<int> spawn, out Task<int> exitStatus)
    {
        lock (_gate)
        {
            int pid = spawn();
            if (pid <= 0)
            {
                exitStatus = Task.FromResult(-1);
                return pid;
            }

            var completion = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[pid] = completion;
            exitStatus = completion.Task;
            _startsSinceIdle++;
            Monitor.PulseAll(_gate);
            return pid;
        }
    }

    private void Run()
    {
        while (true)
        {
            int rc = NativeProcess.WaitAny(out int pid, out int status);
            if (rc == Errno.ECHILD)
            {
                // No children: sleep until the next spawn (waitpid would return ECHILD in a busy loop).
                lock (_gate)
                {
                    while (_startsSinceIdle == 0)
                    {
                        Monitor.Wait(_gate);
                    }

                    _startsSinceIdle = 0;
                }

                continue;
            }

            if (rc != 0)
            {
                _log.Write($"waitpid failed: {Errno.Message(rc)}");
                Thread.Sleep(100);
                continue;
            }

            TaskCompletionSource<int>? completion;
            lock (_gate)
            {
                _waiting.Remove(pid, out completion);
            }

            completion?.TrySetResult(status);
        }
    }
}
