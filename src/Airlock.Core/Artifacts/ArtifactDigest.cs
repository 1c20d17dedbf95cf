using System.Security.Cryptography;

namespace Airlock.Core.Artifacts;

/// <summary>Artifact digests: <c>sha256:</c> and 64 lowercase hex digits, as in OCI image manifests.</summary>
internal static class ArtifactDigest
{
    public const string Prefix = "sha256:";
    private const int HexLength = SHA256.HashSizeInBytes * 2;

    public static string Format(ReadOnlySpan<byte> hash) => Prefix + Convert.ToHexStringLower(hash);

    /// <summary>The 64 hex digits of <paramref name="digest"/>; anything else is a caller's mistake (400), named plainly.</summary>
    public static string Hex(string? digest)
    {
        const string Usage = "use sha256: and 64 lowercase hex digits, as PUT /v1/artifacts returned it";
        if (string.IsNullOrEmpty(digest) || !digest.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw AirlockException.Invalid($"'{Shorten(digest)}' is not an artifact digest; {Usage}");
        }

        var hex = digest[Prefix.Length..];
        if (hex.Length != HexLength)
        {
            throw AirlockException.Invalid($"'{Shorten(digest)}' is not an artifact digest: it has {hex.Length} hex digits, not {HexLength}; {Usage}");
        }

        foreach (var c in hex)
        {
            if (!(char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            {
                throw AirlockException.Invalid($"'{Shorten(digest)}' is not an artifact digest: '{c}' is not a lowercase hex digit; {Usage}");
            }
        }

        return hex;
    }

    private static string Shorten(string? value) => value is null ? "" : value.Length <= 80 ? value : value[..80] + "...";
}
