using System.Globalization;
using System.Text;

namespace Airlock.Audit.Sqlite;

/// <summary>
/// A signed statement "record <see cref="Sequence"/> had hash <see cref="Hash"/> at <see cref="UnixMilliseconds"/>".
/// It pins every record up to <see cref="Sequence"/>: rewriting any of them, even with a recomputed chain, or
/// deleting the tail behind it, no longer matches the signature.
/// </summary>
internal sealed record AuditCheckpoint(long Sequence, string Hash, long UnixMilliseconds, string Signature)
{
    /// <summary>The signed bytes: <c>airlock.audit.checkpoint.v1\n{sequence}\n{hash}\n{unix ms}</c>, UTF-8. The signature is ECDSA P-256 over SHA-256, IEEE P1363 (r||s), base64.</summary>
    public static byte[] SignedBytes(long sequence, string hash, long unixMilliseconds) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"airlock.audit.checkpoint.v1\n{sequence}\n{hash}\n{unixMilliseconds}"));

    public static AuditCheckpoint Create(long sequence, string hash, long unixMilliseconds, AuditSigningKey key) =>
        new(sequence, hash, unixMilliseconds, Convert.ToBase64String(key.Sign(SignedBytes(sequence, hash, unixMilliseconds))));

    public bool IsSignedBy(AuditSigningKey key)
    {
        Span<byte> signature = stackalloc byte[128];
        return Convert.TryFromBase64String(Signature, signature, out var length)
            && key.Verify(SignedBytes(Sequence, Hash, UnixMilliseconds), signature[..length].ToArray());
    }
}
