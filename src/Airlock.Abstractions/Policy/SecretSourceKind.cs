namespace Airlock.Policy;

/// <summary>Where a secret comes from on the host.</summary>
public enum SecretSourceKind
{
    /// <summary>An environment variable of the daemon (or of the CLI with the embedded engine).</summary>
    Env,

    /// <summary>A file on the host, read when the sandbox starts.</summary>
    File,
}
