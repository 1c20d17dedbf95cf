using System.Text;
using System.Text.Json;

namespace Airlock.Core.Network;

/// <summary>
/// A sandbox's egress on the host, in the order it is made and unmade: lease -> namespace and veth ->
/// gateway process -> firewall; destroy reverses it from the id alone. The engine calls this around the backend:
/// the namespace must exist before the runtime joins it, and outlives nothing of the sandbox.
/// </summary>
internal static class SandboxEgress
{
    public const string CaBundle = "/etc/ssl/certs/ca-certificates.crt";

    public const string CaFile = "/usr/local/share/ca-certificates/airlock-sandbox-ca.crt";

    public static async Task<EgressSetup> SetUpAsync(AirlockPaths paths, string sandboxId, EgressPlan plan, IReadOnlyList<string> gatewayCommand, DateTimeOffset? expiresAt, EgressTestWiring? testWiring, CancellationToken cancellationToken)
    {
        testWiring ??= EgressTestHooks.FromEnvironment();
        var lease = NetworkLeasePool.Acquire(sandboxId, paths.DataDirectory);
        await SandboxNetwork.CreateAsync(lease);
        var directory = EgressDirectory.For(paths, sandboxId);
        Directory.CreateDirectory(directory.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var config = new GatewayConfig
        {
            SandboxId = sandboxId,
            DataDirectory = Path.GetFullPath(paths.DataDirectory),
            ListenAddress = lease.HostAddress.ToString(),
            SourceAddress = lease.SandboxAddress.ToString(),
            PolicyText = plan.PolicyText,
            Secrets = plan.Secrets,
            Canaries = plan.Canaries,
            // A sandbox with secrets gets its CA, and the gateway then terminates its TLS to every allowed name, so the
            // placeholder (and a canary) is caught leaving over HTTPS too; without secrets, HTTPS is tunnelled untouched
            // and the sandbox keeps trusting exactly what its image trusts (docs/egress.md).
            CertificateAuthorityPath = plan.Secrets.Count > 0 ? directory.CertificateAuthority : null,
            StaticHosts = testWiring.StaticHosts,
            UpstreamTrustPath = testWiring.UpstreamTrustPath is { } trust ? Path.GetFullPath(trust) : null,
            ExpiresAt = expiresAt,
        };
        var json = JsonSerializer.Serialize(config, GatewayConfigJson.Default.GatewayConfig);
        await using (var file = new FileStream(directory.Config, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            await file.WriteAsync(Encoding.UTF8.GetBytes(json), cancellationToken);
        }

        var ready = await GatewayProcess.StartAsync(gatewayCommand, directory, cancellationToken);
        await SandboxNetwork.ApplyFirewallAsync(lease, new GatewayPorts(ready.ProxyPort, ready.TransparentPort, ready.DnsPort));
        var caPem = plan.Secrets.Count > 0 ? await File.ReadAllTextAsync(directory.CertificateAuthorityCertificate, cancellationToken) : null;
        return new EgressSetup(lease, ready, caPem);
    }

    /// <summary>Kills the gateway, removes the firewall and namespace, releases the lease and removes the egress directory. Idempotent.</summary>
    public static async Task DestroyAsync(AirlockPaths paths, string sandboxId)
    {
        var directory = EgressDirectory.For(paths, sandboxId);
        GatewayProcess.Kill(directory, sandboxId);
        if (NetworkLeasePool.Find(sandboxId, paths.DataDirectory) is { } lease)
        {
            await SandboxNetwork.DestroyAsync(lease);
            NetworkLeasePool.Release(lease);
        }

        if (Directory.Exists(directory.Path)) Directory.Delete(directory.Path, recursive: true);
    }

    /// <summary>
    /// Leftovers of this data directory with no sandbox record, and of data directories that no longer exist
    /// (a removed test directory): their gateway, firewall, namespace and lease. Egress directories without a
    /// record go too.
    /// </summary>
    public static async Task SweepAsync(AirlockPaths paths, Func<string, Task<bool>> isKnown)
    {
        var mine = Path.GetFullPath(paths.DataDirectory);
        foreach (var lease in NetworkLeasePool.List())
        {
            if (lease.DataDirectory == mine)
            {
                if (!await isKnown(lease.SandboxId)) await DestroyAsync(paths, lease.SandboxId);
            }
            else if (!Directory.Exists(lease.DataDirectory))
            {
                await SandboxNetwork.DestroyAsync(lease);
                NetworkLeasePool.Release(lease);
            }
        }

        var egress = Path.Combine(mine, "egress");
        if (!Directory.Exists(egress)) return;
        foreach (var dir in Directory.EnumerateDirectories(egress))
        {
            var id = Path.GetFileName(dir);
            if (!await isKnown(id)) await DestroyAsync(paths, id);
        }
    }
}
