namespace Airlock.Core.Telemetry;

/// <summary>The <c>kind</c> tag of <c>airlock_failed_accesses_total</c>: why a request could not be authenticated.</summary>
public static class FailedAccessKinds
{
    public const string MissingToken = "missing_token";

    public const string InvalidToken = "invalid_token";

    public const string ExpiredToken = "expired_token";

    public const string RevokedToken = "revoked_token";
}
