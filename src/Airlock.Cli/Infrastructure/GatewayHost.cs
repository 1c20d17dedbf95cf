using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Airlock.Audit.Sqlite;
using Airlock.Core;
using Airlock.Core.Network;
using Airlock.Core.Policy;
using Airlock.Egress;
using Airlock.Policy;

namespace Airlock.Cli.Infrastructure;

/// <summary>
/// The body of <c>airlock gateway</c>: one <see cref="EgressGateway"/> with one tenant, listening on the host side of
/// the sandbox's veth, auditing to the data directory's shared audit.db. It stops on SIGTERM, when its egress
/// directory is removed (the sandbox was destroyed by a process that could not kill it), or at the sandbox's TTL.
/// </summary>
internal static class GatewayHost
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(string configPath, CancellationToken cancellationToken)
    {
        var directory = new EgressDirectory(Path.GetDirectoryName(Path.GetFullPath(configPath))!);
        // The engine closed our stdio pipes; everything we say goes to the log beside the config.
        await using var log = new StreamWriter(new FileStream(directory.LogFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        Console.SetOut(log);
        Console.SetError(log);
        try
        {
            return await ServeAsync(configPath, directory, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await log.WriteLineAsync($"airlock gateway: {e}");
            return ExitCodes.Failure;
        }
    }

    private static async Task<int> ServeAsync(string configPath, EgressDirectory directory, CancellationToken cancellationToken)
    {
        var config = JsonSerializer.Deserialize(await File.ReadAllTextAsync(configPath, cancellationToken), GatewayConfigJson.Default.GatewayConfig)
            ?? throw new InvalidDataException($"{configPath} is empty");
        var policy = PolicyLoader.Load(config.PolicyText, "policy");
        var paths = new AirlockPaths(config.DataDirectory);
        await using var audit = new SqliteAuditLog(new SqliteAuditLogOptions { DatabasePath = paths.Audit, SigningKeyPath = paths.AuditSigningKey });
        using var authority = config.CertificateAuthorityPath is { } caPath ? CreateAuthority(config.SandboxId, caPath, directory) : null;
        var options = new EgressGatewayOptions
        {
            ListenAddress = IPAddress.Parse(config.ListenAddress),
            StaticHosts = config.StaticHosts.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<IPAddress>)[.. kv.Value.Select(IPAddress.Parse)]),
            UpstreamDns = config.UpstreamDns is { } dns ? IPEndPoint.Parse(dns) : null,
            UpstreamTrust = config.UpstreamTrustPath is { } trust ? [.. LoadCertificates(trust)] : [],
        };
        await using var gateway = new EgressGateway(options, audit);
        await gateway.StartAsync(cancellationToken);
        using var tenant = gateway.Attach(new EgressTenant
        {
            SandboxId = config.SandboxId,
            SourceAddress = IPAddress.Parse(config.SourceAddress),
            Network = policy.Network,
            Secrets = [.. config.Secrets.Select(s => ToEgressSecret(s, policy))],
            Canaries = config.Canaries,
            RateBitsPerSecond = policy.Limits.EgressRateBitsPerSecond,
            Interception = authority,
        });
        var ready = new GatewayReady(gateway.ProxyEndPoint.Port, gateway.TransparentEndPoint.Port, gateway.DnsEndPoint.Port);
        // Written whole, then renamed: the engine polls for this file and must never read half of it.
        var temporary = directory.ReadyFile + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(ready, GatewayConfigJson.Default.GatewayReady), cancellationToken);
        File.Move(temporary, directory.ReadyFile, overwrite: true);
        Console.WriteLine($"gateway of sandbox {config.SandboxId} listening on {config.ListenAddress} (proxy {ready.ProxyPort}, transparent {ready.TransparentPort}, dns {ready.DnsPort})");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        try
        {
            while (File.Exists(configPath) && (config.ExpiresAt is not { } expires || DateTimeOffset.UtcNow < expires))
            {
                await Task.Delay(WatchInterval, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine($"gateway of sandbox {config.SandboxId} stopping");
        return ExitCodes.Ok;
    }

    private static SandboxCertificateAuthority CreateAuthority(string sandboxId, string caPath, EgressDirectory directory)
    {
        var authority = SandboxCertificateAuthority.Create(sandboxId);
        authority.Save(caPath);
        File.SetUnixFileMode(caPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(directory.CertificateAuthorityCertificate, authority.CertificatePem);
        return authority;
    }

    private static X509Certificate2Collection LoadCertificates(string pemPath)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(pemPath);
        return collection;
    }

    private static EgressSecret ToEgressSecret(GatewaySecret secret, SandboxPolicy policy)
    {
        var declared = policy.Secrets[secret.Name];
        return new EgressSecret(secret.Name, secret.Placeholder, secret.Value, declared.Hosts, declared.Header);
    }
}
