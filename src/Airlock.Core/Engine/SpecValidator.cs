using System.Text.RegularExpressions;

namespace Airlock.Core.Engine;

/// <summary>Checks a create request before anything touches the host, with messages that name the field.</summary>
internal static partial class SpecValidator
{
    public const long MinimumMemoryBytes = 32L << 20;
    public const long MinimumDiskBytes = 32L << 20;
    public const int MinimumPids = 16;

    public static readonly string[] Isolations = ["auto", "container", "gvisor", "microvm"];

    public static void Validate(SandboxSpec spec)
    {
        if (!Isolations.Contains(spec.Isolation))
        {
            throw AirlockException.Invalid($"isolation '{spec.Isolation}' is not one of {string.Join(", ", Isolations)}");
        }

        var limits = spec.Limits;
        if (limits.Cpus is { } cpus && (cpus <= 0 || double.IsNaN(cpus) || cpus > Environment.ProcessorCount))
        {
            throw AirlockException.Invalid($"cpus must be more than 0 and at most this host's {Environment.ProcessorCount} CPUs (got {cpus})");
        }

        if (limits.MemoryBytes is { } memory && memory < MinimumMemoryBytes)
        {
            throw AirlockException.Invalid($"memory must be at least {Units.FormatSize(MinimumMemoryBytes)} (got {memory} bytes)");
        }

        if (limits.Pids is { } pids && pids < MinimumPids)
        {
            throw AirlockException.Invalid($"pids must be at least {MinimumPids}: the sandbox's own agent needs a few (got {pids})");
        }

        if (limits.DiskBytes is { } disk && disk < MinimumDiskBytes)
        {
            throw AirlockException.Invalid($"disk must be at least {Units.FormatSize(MinimumDiskBytes)} (got {disk} bytes)");
        }

        if (spec.Ttl is { } ttl && ttl <= TimeSpan.Zero)
        {
            throw AirlockException.Invalid("timeout must be positive");
        }

        foreach (var (key, value) in spec.Env)
        {
            if (!EnvName().IsMatch(key)) throw AirlockException.Invalid($"env name '{key}' must match [A-Za-z_][A-Za-z0-9_]*");
            if (value.Contains('\0', StringComparison.Ordinal)) throw AirlockException.Invalid($"env value of '{key}' contains a NUL byte");
        }

        foreach (var (key, value) in spec.Labels)
        {
            if (!LabelKey().IsMatch(key)) throw AirlockException.Invalid($"label key '{key}' must be 1-63 characters of [A-Za-z0-9._/-]");
            if (value.Length > 256 || value.Contains('\0', StringComparison.Ordinal)) throw AirlockException.Invalid($"label '{key}' has a value longer than 256 characters or with a NUL byte");
        }
    }

    public static void ValidateExec(ExecRequest request)
    {
        if (request.Command.Count == 0 || request.Command[0].Length == 0)
        {
            throw AirlockException.Invalid("command is empty; give the program and its arguments");
        }

        if (request.Command.Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            throw AirlockException.Invalid("command arguments must not contain NUL bytes");
        }

        if (request.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw AirlockException.Invalid("timeout must be positive");
        }

        foreach (var key in request.Env.Keys)
        {
            if (!EnvName().IsMatch(key)) throw AirlockException.Invalid($"env name '{key}' must match [A-Za-z_][A-Za-z0-9_]*");
        }
    }

    public static void ValidateId(string id)
    {
        if (!SandboxId().IsMatch(id)) throw AirlockException.NotFound($"no sandbox '{Printable(id)}'; `airlock ps` lists sandboxes");
    }

    private static string Printable(string text) => text.Length > 64 ? text[..64] + "…" : text.Replace('\0', '?');

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();

    [GeneratedRegex("^[A-Za-z0-9._/-]{1,63}$")]
    private static partial Regex LabelKey();

    [GeneratedRegex("^[a-f0-9]{12}$")]
    private static partial Regex SandboxId();
}
