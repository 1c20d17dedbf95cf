using System.Diagnostics;

namespace Airlock.Guest.Tests;

/// <summary>Process helpers for tests: only ever aimed at pids the test itself caused to exist.</summary>
internal static class Syscall
{
    public static void Kill(int pid, int signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString()]);
        kill.WaitForExit();
    }

    /// <summary>True while /proc/<paramref name="pid"/> exists (a zombie counts: it has not been reaped).</summary>
    public static bool Exists(int pid) => Directory.Exists($"/proc/{pid}");

    /// <summary>The process state letter (R, S, Z, ...) or null when gone.</summary>
    public static char? State(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static bool WaitGone(int pid, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (Exists(pid))
        {
            if (clock.Elapsed > within)
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }

    /// <summary>Kills a leftover test process if it still runs.</summary>
    public static void KillIfAlive(int pid)
    {
        if (Exists(pid))
        {
            Kill(pid, 9);
        }
    }
}
