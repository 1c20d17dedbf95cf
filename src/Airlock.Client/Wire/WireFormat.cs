using System.Globalization;

namespace Airlock.Client.Wire;

/// <summary>Small conversions both ends of the wire must agree on.</summary>
internal static class WireFormat
{
    /// <summary>A duration as <see cref="Units.ParseDuration"/> reads it back: whole seconds as "90s", else milliseconds.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration.Ticks % TimeSpan.TicksPerSecond == 0) return $"{(long)duration.TotalSeconds}s";
        var ms = Math.Max(1, (long)Math.Ceiling(duration.TotalMilliseconds));
        return ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }

    /// <summary>The problem <c>type</c> URI and title of an error kind.</summary>
    public static (string Type, string Title, int Status) Describe(AirlockErrorKind kind) => kind switch
    {
        AirlockErrorKind.InvalidArgument => ("urn:airlock:problem:invalid-argument", "Invalid argument", 400),
        AirlockErrorKind.Unauthorized => ("urn:airlock:problem:unauthorized", "Unauthorized", 401),
        AirlockErrorKind.Forbidden => ("urn:airlock:problem:forbidden", "Forbidden", 403),
        AirlockErrorKind.NotFound => ("urn:airlock:problem:not-found", "Not found", 404),
        AirlockErrorKind.Conflict => ("urn:airlock:problem:conflict", "Conflict", 409),
        AirlockErrorKind.TooLarge => ("urn:airlock:problem:too-large", "Request too large", 413),
        AirlockErrorKind.Unavailable => ("urn:airlock:problem:unavailable", "Unavailable", 503),
        _ => ("urn:airlock:problem:internal", "Internal error", 500),
    };

    /// <summary>The error kind of an HTTP status, for responses that carry no usable problem body.</summary>
    public static AirlockErrorKind KindOf(int status) => status switch
    {
        400 or 405 or 415 or 422 => AirlockErrorKind.InvalidArgument,
        401 => AirlockErrorKind.Unauthorized,
        403 => AirlockErrorKind.Forbidden,
        404 => AirlockErrorKind.NotFound,
        409 => AirlockErrorKind.Conflict,
        413 => AirlockErrorKind.TooLarge,
        502 or 503 or 504 => AirlockErrorKind.Unavailable,
        >= 400 and < 500 => AirlockErrorKind.InvalidArgument,
        _ => AirlockErrorKind.Internal,
    };

    public static AirlockErrorKind KindOf(string problemType)
    {
        foreach (var kind in Enum.GetValues<AirlockErrorKind>())
        {
            if (Describe(kind).Type == problemType) return kind;
        }

        return AirlockErrorKind.Internal;
    }
}
