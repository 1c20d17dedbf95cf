namespace Airlock.Oci;

/// <summary>Where the guest agent lives inside every Airlock sandbox, and how it is started.</summary>
public static class AgentContract
{
    /// <summary>The agent binary, bind-mounted read-only from the host.</summary>
    public const string BinaryPath = "/.airlock/agent";

    /// <summary>The agent's socket directory, bind-mounted from the sandbox's quota disk.</summary>
    public const string SocketDirectory = "/run/airlock";

    public const string SocketFileName = "agent.sock";

    public const string SocketPath = SocketDirectory + "/" + SocketFileName;

    /// <summary>
    /// Tasks the host's pids limit allows beyond the user's own, for the agent's threads: without them a fork
    /// bomb that fills the limit leaves the agent unable to start the thread that would report or end it.
    /// </summary>
    public const int AgentTaskReserve = 128;

    /// <param name="memoryBytes">Set only where the agent must enforce the memory limit itself (gVisor).</param>
    public static IReadOnlyList<string> Args(TimeSpan? ttl, int? childTasks = null, long? memoryBytes = null)
    {
        List<string> args = [BinaryPath, "serve", "--socket", SocketPath];
        if (ttl is { } t) args.AddRange(["--ttl-seconds", Math.Max(1, (long)Math.Ceiling(t.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (childTasks is { } tasks) args.AddRange(["--child-tasks", tasks.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (memoryBytes is { } bytes) args.AddRange(["--memory-bytes", bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return args;
    }
}
