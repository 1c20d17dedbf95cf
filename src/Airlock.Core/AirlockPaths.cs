namespace Airlock.Core;

/// <summary>The layout of the data directory. One place, so that every part agrees and the reconciler can find leftovers.</summary>
public sealed record AirlockPaths(string DataDirectory)
{
    /// <summary><c>/var/lib/airlock</c> as root, else the user's data directory.</summary>
    public static string DefaultDataDirectory =>
        Environment.GetEnvironmentVariable("AIRLOCK_DATA") is { Length: > 0 } fromEnv ? fromEnv
        : Environment.UserName == "root" ? "/var/lib/airlock"
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "airlock");

    public string Database => Path.Combine(DataDirectory, "airlock.db");

    public string AdminToken => Path.Combine(DataDirectory, "admin.token");

    /// <summary>The audit trail's own SQLite file (hash-chained records and signed checkpoints).</summary>
    public string Audit => Path.Combine(DataDirectory, "audit.db");

    /// <summary>The ECDSA P-256 key (PKCS#8 PEM, mode 0600) that signs the audit trail's checkpoints.</summary>
    public string AuditSigningKey => Path.Combine(DataDirectory, "audit.key");

    /// <summary>The HMAC key that signs scoped tokens (32 bytes, base64url, mode 0600).</summary>
    public string TokenKey => Path.Combine(DataDirectory, "token.key");

    /// <summary>Minted scoped tokens (hash of the secret only) and their revocations.</summary>
    public string TokenDatabase => Path.Combine(DataDirectory, "tokens.db");

    /// <summary>Image store; overridable so test runs can share one built image.</summary>
    public string Images { get; init; } = Environment.GetEnvironmentVariable("AIRLOCK_IMAGES") is { Length: > 0 } images
        ? images
        : Path.Combine(DataDirectory, "images");

    /// <summary>Content-addressed artifacts: <c>sha256/&lt;hex&gt;</c> and <c>sha256/&lt;hex&gt;.manifest.json</c>.</summary>
    public string Artifacts => Path.Combine(DataDirectory, "artifacts");

    /// <summary>The ECDSA P-256 private key (PKCS#8 PEM, 0600) that signs artifact manifests; created on first use.</summary>
    public string ArtifactSigningKey => Path.Combine(DataDirectory, "artifact-signing.key");

    public string Sandboxes => Path.Combine(DataDirectory, "sandboxes");

    public string SandboxDirectory(string id) => Path.Combine(Sandboxes, id);
}
