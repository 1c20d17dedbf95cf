namespace Airlock.Core.Network;

/// <summary>
/// <c>{data}/egress/{id}/</c> (0700, root): the gateway's side of a sandbox, apart from the sandbox directory that
/// the backend owns and the sandbox's mapped root can traverse.
/// <code>
/// gateway.json   0600  config with the secrets' real values
/// gateway.pid          the gateway process
/// ready.json           its ports, once it listens
/// ca.pem         0600  the sandbox CA's certificate and key (only with secrets); ca.crt the certificate alone
/// gateway.log          its stdout/stderr
/// </code>
/// </summary>
public sealed record EgressDirectory(string Path)
{
    public static EgressDirectory For(AirlockPaths paths, string id) =>
        new(System.IO.Path.GetFullPath(System.IO.Path.Combine(paths.DataDirectory, "egress", id)));

    public string Config => System.IO.Path.Combine(Path, "gateway.json");

    public string PidFile => System.IO.Path.Combine(Path, "gateway.pid");

    public string ReadyFile => System.IO.Path.Combine(Path, "ready.json");

    public string CertificateAuthority => System.IO.Path.Combine(Path, "ca.pem");

    public string CertificateAuthorityCertificate => System.IO.Path.Combine(Path, "ca.crt");

    public string LogFile => System.IO.Path.Combine(Path, "gateway.log");
}
