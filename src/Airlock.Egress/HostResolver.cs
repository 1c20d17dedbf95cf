using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Airlock.Egress;

/// <summary>
/// The gateway's own resolution of allowed names: static hosts, else the upstream resolver (or the host's). Upstream
/// connections go to these addresses, never to one the sandbox chose, and transparent connections are checked against them.
/// </summary>
internal sealed class HostResolver(EgressGatewayOptions options, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, IReadOnlyList<IPAddress>> _static = options.StaticHosts.ToDictionary(
        h => h.Key.TrimEnd('.').ToLowerInvariant(), h => h.Value, StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, IReadOnlyList<IPAddress> Addresses)> _cache = new(StringComparer.Ordinal);

    public bool IsStatic(string name) => _static.ContainsKey(Normalize(name));

    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        name = Normalize(name);
        if (IPAddress.TryParse(name, out var literal)) return [literal];
        if (_static.TryGetValue(name, out var addresses)) return addresses;
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(name, out var cached) && cached.Until > now) return cached.Addresses;
        var resolved = options.UpstreamDns is { } upstream
            ? await QueryUpstreamAsync(upstream, name, cancellationToken)
            : await SystemAsync(name, cancellationToken);
        _cache[name] = (now + CacheFor, resolved);
        return resolved;
    }

    private static async Task<IReadOnlyList<IPAddress>> SystemAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await Dns.GetHostAddressesAsync(name, cancellationToken);
        }
        catch (SocketException)
        {
            return [];
        }
    }

    private static async Task<IReadOnlyList<IPAddress>> QueryUpstreamAsync(IPEndPoint upstream, string name, CancellationToken cancellationToken)
    {
        var result = new List<IPAddress>();
        using var socket = new Socket(upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(upstream, cancellationToken);
        foreach (var type in new[] { DnsMessage.TypeA, DnsMessage.TypeAaaa })
        {
            var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
            await socket.SendAsync(DnsMessage.Query(id, name, type), cancellationToken);
            var buffer = new byte[4096];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                // Answers with the wrong id (spoofed or late) are skipped, not trusted.
                while (true)
                {
                    var n = await socket.ReceiveAsync(buffer, timeout.Token);
                    var addresses = DnsMessage.ReadAddresses(buffer.AsSpan(0, n), id);
                    if (n >= 2 && buffer[0] == (byte)(id >> 8) && buffer[1] == (byte)id)
                    {
                        result.AddRange(addresses);
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No answer from upstream for this type: the name resolves to what the other type gave, or to nothing.
            }
        }

        return result;
    }

    private static string Normalize(string name) => name.TrimEnd('.').ToLowerInvariant();
}
