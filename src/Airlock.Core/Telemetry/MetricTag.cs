namespace Airlock.Core.Telemetry;

/// <summary>Tag values kept to a bounded set of short words, so a mistaken caller cannot create unbounded series.</summary>
internal static class MetricTag
{
    public const string Other = "other";
    private const int MaxLength = 32;

    /// <summary>Lowercase letters, digits, '_' and '-', up to 32 characters; anything else is <c>other</c>.</summary>
    public static string Fold(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength) return Other;
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-')) return Other;
        }

        return value;
    }

    public static string StateName(SandboxState state) => state switch
    {
        SandboxState.Creating => "creating",
        SandboxState.Running => "running",
        SandboxState.Paused => "paused",
        SandboxState.Stopped => "stopped",
        _ => Other,
    };
}
