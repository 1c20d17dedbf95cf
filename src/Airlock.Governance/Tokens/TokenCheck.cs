using Airlock.Access;

namespace Airlock.Governance.Tokens;

/// <summary>The verdict on a presented token: the caller it stands for, or why it was refused.</summary>
public sealed record TokenCheck
{
    public Caller? Caller { get; init; }

    /// <summary>Why the token was refused, in words the holder can act on.</summary>
    public string? Failure { get; init; }

    /// <summary>The id of a token Airlock really minted (set even when it is expired or revoked; never for forgeries).</summary>
    public string? TokenId { get; init; }

    public static TokenCheck Refused(string failure, string? tokenId = null) => new() { Failure = failure, TokenId = tokenId };
}
