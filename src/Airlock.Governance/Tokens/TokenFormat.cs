using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Airlock.Governance.Tokens;

/// <summary>
/// <c>alk_&lt;id&gt;.&lt;secret&gt;.&lt;signature&gt;</c>: a 16-hex-digit id, 24 random bytes of secret and an HMAC-SHA256
/// over both, all base64url. The signature lets the daemon refuse forged and damaged tokens before any lookup; the
/// secret (stored only as a hash) means that even a reader of the token table cannot rebuild a token.
/// </summary>
internal static class TokenFormat
{
    public const string Prefix = "alk_";
    private const int IdLength = 16;
    private const int SecretBytes = 24;
    private const int SignatureBytes = 32;

    public static string NewId() => RandomNumberGenerator.GetHexString(IdLength, lowercase: true);

    public static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    public static string Compose(ReadOnlySpan<byte> key, string id, string secret) =>
        $"{Prefix}{id}.{secret}.{Base64Url.EncodeToString(Sign(key, id, secret))}";

    /// <summary>Splits a presented token; false for anything not shaped like one of ours (without saying which part is off).</summary>
    public static bool TryParse(string token, out string id, out string secret, out byte[] signature)
    {
        id = secret = "";
        signature = [];
        if (!token.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = token[Prefix.Length..].Split('.');
        if (parts.Length != 3 || parts[0].Length != IdLength || !parts[0].All(char.IsAsciiHexDigitLower)) return false;
        if (!Base64Url.IsValid(parts[1], out var secretLength) || secretLength != SecretBytes) return false;
        if (!Base64Url.IsValid(parts[2], out var signatureLength) || signatureLength != SignatureBytes) return false;
        id = parts[0];
        secret = parts[1];
        signature = Base64Url.DecodeFromChars(parts[2]);
        return true;
    }

    /// <summary>Constant time, so that response timing does not guide a forger byte by byte.</summary>
    public static bool SignatureMatches(ReadOnlySpan<byte> key, string id, string secret, ReadOnlySpan<byte> signature) =>
        CryptographicOperations.FixedTimeEquals(Sign(key, id, secret), signature);

    /// <summary>What the token table keeps instead of the secret.</summary>
    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));

    private static byte[] Sign(ReadOnlySpan<byte> key, string id, string secret) =>
        HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{Prefix}{id}.{secret}"));
}
