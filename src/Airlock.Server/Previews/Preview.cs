using System.Security.Cryptography;
using System.Text;

namespace Airlock.Server.Previews;

/// <summary>One exposed port: who may use it (the SHA-256 of its token), until when, and the HTTP connections to it.</summary>
internal sealed class Preview(string id, string sandboxId, int port, DateTimeOffset expiresAt, byte[] tokenHash, string actor) : IDisposable
{
    private long _requests;
    private long _connections;

    public string Id => id;

    public string SandboxId => sandboxId;

    public int Port => port;

    public DateTimeOffset ExpiresAt => expiresAt;

    /// <summary>Who exposed it: its close is recorded under the same name.</summary>
    public string Actor => actor;

    /// <summary>Pooled HTTP/1.1 connections whose byte streams are the agent's port relays (see <see cref="PreviewRegistry"/>).</summary>
    public required HttpMessageInvoker Invoker { get; init; }

    public long Requests => Interlocked.Read(ref _requests);

    public long Connections => Interlocked.Read(ref _connections);

    public void CountRequest() => Interlocked.Increment(ref _requests);

    public long CountConnection() => Interlocked.Increment(ref _connections);

    /// <summary>Constant-time comparison of hashes: a wrong token's timing says nothing about the right one.</summary>
    public bool Accepts(string? token) =>
        !string.IsNullOrEmpty(token) && CryptographicOperations.FixedTimeEquals(Hash(token), tokenHash);

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public void Dispose() => Invoker.Dispose();
}
