using System.Globalization;
using System.Text;
using Airlock.Oci.PathRules;
using Airlock.Policy;

namespace Airlock.Backends.MicroVm;

/// <summary>What /init reads from <c>/airlock/boot.env</c> and <c>/airlock/env</c>: shell text, every value single-quoted.</summary>
internal sealed record BootSettings(string Hostname, TimeSpan? Ttl, IReadOnlyDictionary<string, string> Env, bool AgentLogToConsole = false)
{
    /// <summary>The user's memory limit, enforced by the guest's own cgroup (the VM has more RAM, for its kernel).</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>The user's task limit, enforced by the guest's own pids cgroup (root in a VM ignores RLIMIT_NPROC).</summary>
    public int? Tasks { get; init; }

    /// <summary>
    /// The policy's <c>files</c> rules resolved in the image, in order, for the agent to mount in the guest before it
    /// serves (<c>--path-rule ro:/data</c>). A path is percent-encoded outside [A-Za-z0-9/._-]: /init splits the agent's
    /// arguments on spaces and would expand a '*'.
    /// </summary>
    public IReadOnlyList<ResolvedPathRule> PathRules { get; init; } = [];

    /// <summary>
    /// The guest's eth0 when the sandbox has a network (its address and prefix, and the host side it routes through);
    /// null for none: /init then loads no NIC driver and the guest has loopback only.
    /// </summary>
    public Airlock.Core.Backends.SandboxNetworkLink? Network { get; init; }

    /// <summary>
    /// For a guest that continues from a template snapshot (settings sent through its port, see <see cref="GuestTemplate"/>):
    /// the host's clock in whole seconds since 1970, which /init sets, and the seed the agent reseeds the kernel's
    /// random generator with before it serves. Null for a guest that boots with its settings in the initrd.
    /// </summary>
    public (long ClockSeconds, byte[] RandomSeed)? Restore { get; init; }

    /// <summary>
    /// A template's boot.env: the initrd of a snapshot holds nothing of any sandbox, and /init waits for the settings on
    /// the agent's port.
    /// </summary>
    public static string TemplateBootEnv(bool trace) => "AIRLOCK_SETTINGS=port\n" + (trace ? "AIRLOCK_TRACE=1\n" : "");

    /// <summary>The same default as the container tier's OCI spec.</summary>
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public string BootEnv()
    {
        var args = Ttl is { } ttl
            ? "--ttl-seconds " + Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds)).ToString(CultureInfo.InvariantCulture)
            : "";
        // Always a --log: the current agent (src/Airlock.Guest/Program.cs) dereferences the bridge options when
        // `serve` runs without one, and pid 1 dies with a NullReferenceException before it opens its port.
        // /dev/null costs nothing; the console (the 64 KiB ring QMP reads) is for diagnostics.
        if (MemoryBytes is { } memory) args += " --cgroup-memory-bytes " + memory.ToString(CultureInfo.InvariantCulture);
        if (Tasks is { } tasks) args += " --child-tasks " + tasks.ToString(CultureInfo.InvariantCulture);
        foreach (var rule in PathRules) args += " --path-rule " + PathRuleArgument(rule);
        if (Restore is { } restore) args += " --rng-seed " + Convert.ToHexStringLower(restore.RandomSeed);
        args = (args + (AgentLogToConsole ? " --log /dev/console" : " --log /dev/null")).Trim();
        var text = $"AIRLOCK_HOSTNAME={Quote(Hostname)}\nAIRLOCK_AGENT_ARGS={Quote(args)}\n";
        // A verbose console also gets /init's steps with the guest's uptime: where a boot's time goes.
        if (AgentLogToConsole) text += "AIRLOCK_TRACE=1\n";
        if (Restore is { } restored) text += $"AIRLOCK_CLOCK={restored.ClockSeconds.ToString(CultureInfo.InvariantCulture)}\n";
        if (Network is { } link)
        {
            text += $"AIRLOCK_NET_ADDRESS={Quote($"{link.SandboxAddress}/{link.PrefixLength.ToString(CultureInfo.InvariantCulture)}")}\n" +
                    $"AIRLOCK_NET_GATEWAY={Quote(link.Gateway.ToString())}\n";
        }

        return text;
    }

    /// <summary><c>set -- 'K=V' ...</c>: /init passes "$@" to <c>env -i</c>, so the agent sees exactly these.</summary>
    public string AgentEnv()
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = DefaultPath };
        foreach (var (key, value) in Env)
        {
            if (key.Length == 0 || key.AsSpan().IndexOfAny("=\0") >= 0 || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"invalid environment variable '{key}'");
            }

            merged[key] = value;
        }

        var text = new StringBuilder("set --");
        foreach (var (key, value) in merged)
        {
            text.Append(' ').Append(Quote($"{key}={value}"));
        }

        return text.Append('\n').ToString();
    }

    internal static string PathRuleArgument(ResolvedPathRule rule)
    {
        var access = rule.Access switch
        {
            PathAccess.ReadOnly => "ro",
            PathAccess.Hidden => "hidden",
            _ => "rw",
        };
        var path = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(rule.Path))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-') path.Append(c);
            else path.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }

        return $"{access}:{path}";
    }

    /// <summary>POSIX single quoting: nothing inside is special except the quote itself, written as '\''.</summary>
    internal static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
