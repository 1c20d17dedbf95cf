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

    public static IReadOnlyList<string> Args(TimeSpan? ttl) => ttl is { } t
        ? [BinaryPath, "serve", "--socket", SocketPath, "--ttl-seconds", Math.Max(1, (long)Math.Ceiling(t.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture)]
        : [BinaryPath, "serve", "--socket", SocketPath];
}
