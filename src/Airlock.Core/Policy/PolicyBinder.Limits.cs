using System.Globalization;
using Airlock.Core.Engine;
using Airlock.Policy;

namespace Airlock.Core.Policy;

/// <summary>The <c>limits</c> section. The minimums are the engine's own, so a policy that could never start a sandbox fails here, with a line number.</summary>
internal sealed partial class PolicyBinder
{
    /// <summary>The kernel's PID_MAX_LIMIT; no cgroup can hold more tasks.</summary>
    private const int MaxPids = 4 * 1024 * 1024;

    private static readonly string[] LimitKeys = ["cpus", "memory", "pids", "disk", "timeout", "egress_rate", "exec_rate"];

    private PolicyLimits Limits(PolicyField? field)
    {
        var fields = Section(field, LimitKeys);
        if (fields is null) return new PolicyLimits();
        return new PolicyLimits
        {
            Cpus = Parsed<double>(fields["cpus"], TryParseCpus),
            MemoryBytes = Size(fields["memory"], SpecValidator.MinimumMemoryBytes),
            Pids = Parsed<int>(fields["pids"], TryParsePids),
            DiskBytes = Size(fields["disk"], SpecValidator.MinimumDiskBytes),
            Timeout = Parsed<TimeSpan>(fields["timeout"], Units.TryParseDuration),
            EgressRateBitsPerSecond = Parsed<long>(fields["egress_rate"], Units.TryParseRate),
            ExecRate = ExecRate(fields["exec_rate"]),
        };
    }

    /// <summary><c>N/WINDOW</c>: <c>60/1m</c>, <c>5/s</c> (a bare unit means one of it).</summary>
    private ExecRateLimit? ExecRate(PolicyField? field)
    {
        if (Text(field) is not { } text) return null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        const string usage = "use COUNT/WINDOW, like 60/1m or 5/s";
        if (slash <= 0 || !int.TryParse(text[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            Invalid<long>(field!.Value, $"'{text}' is not a rate of commands; {usage}");
            return null;
        }

        var window = text[(slash + 1)..];
        if (window is "s" or "m" or "h") window = "1" + window;
        if (!Units.TryParseDuration(window, out var duration, out _) || duration <= TimeSpan.Zero)
        {
            Invalid<long>(field!.Value, $"'{text[(slash + 1)..]}' is not a window; {usage}");
            return null;
        }

        return new ExecRateLimit(count, duration);
    }

    private long? Size(PolicyField? field, long minimum)
    {
        var bytes = Parsed<long>(field, Units.TryParseSize);
        if (bytes is null || bytes >= minimum) return bytes;
        return Invalid<long>(field!.Value, $"must be at least {Units.FormatSize(minimum)} (got {Units.FormatSize(bytes.Value)})");
    }

    private static bool TryParseCpus(string text, out double cpus, out string? error)
    {
        error = null;
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out cpus)
            && cpus > 0 && double.IsFinite(cpus))
        {
            return true;
        }

        error = $"'{text}' is not a number of CPUs; use a number more than 0, like 1 or 0.5";
        return false;
    }

    private static bool TryParsePids(string text, out int pids, out string? error)
    {
        error = null;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out pids))
        {
            error = $"'{text}' is not a whole number of processes; use e.g. 256";
        }
        else if (pids < SpecValidator.MinimumPids)
        {
            error = $"must be at least {SpecValidator.MinimumPids}, because the sandbox's own agent needs a few (got {pids})";
        }
        else if (pids > MaxPids)
        {
            error = $"must be at most {MaxPids}, the kernel's limit (got {pids})";
        }

        return error is null;
    }
}
