using System.Globalization;

namespace Airlock.Core.State;

/// <summary>A process named by pid and start time, so a recycled pid is not mistaken for the original process.</summary>
internal readonly record struct ProcessIdentity(int Pid, long StartTicks)
{
    public static ProcessIdentity Current { get; } = Of(Environment.ProcessId);

    public static ProcessIdentity Of(int pid) => new(pid, ReadStartTicks(pid));

    public bool IsAlive => StartTicks != 0 && ReadStartTicks(Pid) == StartTicks;

    /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks since boot); 0 when the process does not exist.</summary>
    private static long ReadStartTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may contain spaces and parentheses: fields after it start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}
