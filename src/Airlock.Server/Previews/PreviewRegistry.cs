using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Airlock.Access;
using Airlock.Audit;
using Airlock.Guest.Protocol;

namespace Airlock.Server.Previews;

/// <summary>
/// The daemon's exposed ports, in memory (a restart closes them all). Nothing is exposed until someone with
/// <c>sandbox:expose</c> asks; each preview has its own random token, a deadline, and ends with its sandbox: every
/// request checks that the sandbox still exists, and a sweep closes expired previews and those of vanished sandboxes.
/// Opening, closing and every new connection into the sandbox are audited; the close records how many requests passed.
/// </summary>
internal sealed class PreviewRegistry : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(7);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Preview> _previews = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _opening = new(1, 1);
    private readonly ISandboxOperations _sandboxes;
    private readonly IAuditLog? _audit;
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;

    public PreviewRegistry(ISandboxOperations sandboxes, TimeProvider time, IAuditLog? audit = null)
    {
        _sandboxes = sandboxes;
        _time = time;
        _audit = audit;
        _sweep = time.CreateTimer(_ => _ = SweepAsync(), null, SweepInterval, SweepInterval);
    }

    /// <summary>Exposes <paramref name="port"/> of a running sandbox; returns the preview and its token (shown once).</summary>
    public async Task<(Preview Preview, string Token)> OpenAsync(string sandboxId, int port, TimeSpan? ttl, CancellationToken cancellationToken)
    {
        GuestClient.ValidatePort(port);
        var lifetime = ttl ?? DefaultTtl;
        if (lifetime <= TimeSpan.Zero || lifetime > MaxTtl)
        {
            throw AirlockException.Invalid($"a preview's ttl must be positive and at most {MaxTtl.TotalDays:0} days (got {lifetime})");
        }

        var channels = _sandboxes as ISandboxChannels ?? throw AirlockException.Unavailable("this daemon's sandboxes cannot relay ports");
        var info = await _sandboxes.GetAsync(sandboxId, cancellationToken);
        if (info.State != SandboxState.Running) throw AirlockException.Conflict($"sandbox {sandboxId} is {info.State.ToString().ToLowerInvariant()}; a preview needs it running");

        await _opening.WaitAsync(cancellationToken);
        try
        {
            if (_previews.Values.Any(p => p.SandboxId == sandboxId && p.Port == port))
            {
                throw AirlockException.Conflict($"port {port} of sandbox {sandboxId} is already exposed; `airlock expose --close {sandboxId} {port}` (DELETE /v1/sandboxes/{sandboxId}/ports/{port}) closes it");
            }

            string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
            string token = "alp_" + Base64Url(RandomNumberGenerator.GetBytes(32));
            Preview? preview = null;
            var handler = new SocketsHttpHandler
            {
                UseProxy = false,
                UseCookies = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
                // The connection's bytes are the agent's relay to 127.0.0.1:port inside the sandbox, whatever the URI says.
                ConnectCallback = async (_, ct) =>
                {
                    var stream = await channels.ConnectPortAsync(sandboxId, port, ct);
                    long n = preview!.CountConnection();
                    await AuditAsync(AuditKinds.PreviewConnection, preview.Actor, AuditOutcomes.Ok, preview, new() { ["connection"] = n.ToString(CultureInfo.InvariantCulture) });
                    return stream;
                },
            };
            preview = new Preview(id, sandboxId, port, _time.GetUtcNow() + lifetime, Preview.Hash(token), CallerContext.Current.Actor)
            {
                Invoker = new HttpMessageInvoker(handler, disposeHandler: true),
            };
            _previews[id] = preview;
            await AuditAsync(AuditKinds.PortExposed, preview.Actor, AuditOutcomes.Ok, preview, new()
            {
                ["expires_at"] = preview.ExpiresAt.ToString("O", CultureInfo.InvariantCulture),
            });
            return (preview, token);
        }
        finally
        {
            _opening.Release();
        }
    }

    public IReadOnlyList<Preview> List(string sandboxId) =>
        _previews.Values.Where(p => p.SandboxId == sandboxId && !Expired(p)).OrderBy(p => p.Port).ToList();

    /// <summary>The live preview <paramref name="id"/>, or null (an expired one is closed on the way).</summary>
    public async Task<Preview?> FindAsync(string id)
    {
        if (!_previews.TryGetValue(id, out var preview)) return null;
        if (!Expired(preview)) return preview;
        await CloseAsync(preview, "expired");
        return null;
    }

    /// <summary>Closes the preview of <paramref name="port"/>; false when there is none.</summary>
    public async Task<bool> CloseAsync(string sandboxId, int port, string reason)
    {
        var preview = _previews.Values.FirstOrDefault(p => p.SandboxId == sandboxId && p.Port == port);
        return preview is not null && await CloseAsync(preview, reason);
    }

    public async Task CloseSandboxAsync(string sandboxId, string reason)
    {
        foreach (var preview in _previews.Values.Where(p => p.SandboxId == sandboxId).ToList()) await CloseAsync(preview, reason);
    }

    public async Task<bool> CloseAsync(Preview preview, string reason)
    {
        if (!_previews.TryRemove(new KeyValuePair<string, Preview>(preview.Id, preview))) return false;
        preview.Dispose();
        await AuditAsync(AuditKinds.PortClosed, CallerContext.Current.Actor, AuditOutcomes.Ok, preview, new()
        {
            ["reason"] = reason,
            ["requests"] = preview.Requests.ToString(CultureInfo.InvariantCulture),
            ["connections"] = preview.Connections.ToString(CultureInfo.InvariantCulture),
        });
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _sweep.DisposeAsync();
        foreach (var preview in _previews.Values.ToList()) await CloseAsync(preview, "daemon stopped");
    }

    private bool Expired(Preview preview) => _time.GetUtcNow() >= preview.ExpiresAt;

    private async Task SweepAsync()
    {
        try
        {
            foreach (var preview in _previews.Values.ToList())
            {
                if (Expired(preview))
                {
                    await CloseAsync(preview, "expired");
                    continue;
                }

                try
                {
                    await _sandboxes.GetAsync(preview.SandboxId);
                }
                catch (AirlockException e) when (e.Kind == AirlockErrorKind.NotFound)
                {
                    await CloseAsync(preview, "sandbox destroyed");
                }
            }
        }
        catch (Exception)
        {
            // A sweep that fails (store busy, daemon stopping) is retried by the next one.
        }
    }

    private async Task AuditAsync(string kind, string actor, string outcome, Preview preview, Dictionary<string, string> details)
    {
        if (_audit is null) return;
        details["port"] = preview.Port.ToString(CultureInfo.InvariantCulture);
        details["preview"] = preview.Id;
        await _audit.AppendAsync(new AuditEvent { Kind = kind, Actor = actor, Outcome = outcome, SandboxId = preview.SandboxId, Details = details }, CancellationToken.None);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
