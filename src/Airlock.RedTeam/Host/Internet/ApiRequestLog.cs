using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Airlock.RedTeam.Host.Internet;

/// <summary>
/// Every request the battery's in-process daemon received (peer, method, target, a nonce header), seen before
/// anything answers it (401s included): the host-side evidence of the "Airlock's API" case.
/// </summary>
internal sealed class ApiRequestLog
{
    /// <summary>The header an attack puts its case's nonce in (it also puts it in the query).</summary>
    public const string NonceHeader = "X-Redteam-Nonce";

    private readonly ConcurrentQueue<string> _requests = new();

    public void Observe(HttpContext context) =>
        _requests.Enqueue($"{context.Connection.RemoteIpAddress} {context.Request.Method} {context.Request.Path}{context.Request.QueryString} {context.Request.Headers[NonceHeader]}");

    /// <summary>The requests so far: a case takes this before its attack and reads what came after.</summary>
    public int Mark() => _requests.Count;

    public IReadOnlyList<string> Since(int mark) => [.. _requests.Skip(mark)];
}
