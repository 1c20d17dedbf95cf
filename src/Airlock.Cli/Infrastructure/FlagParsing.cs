using System.Globalization;

namespace Airlock.Cli.Infrastructure;

/// <summary>Flag values checked by hand, so each mistake is one line naming the flag and the fix.</summary>
internal static class FlagParsing
{
    public static long? Size(string flag, string? text)
    {
        if (text is null) return null;
        return Units.TryParseSize(text, out var bytes, out var error) ? bytes : throw new UsageException($"{flag}: {error}");
    }

    public static TimeSpan? Duration(string flag, string? text)
    {
        if (text is null) return null;
        return Units.TryParseDuration(text, out var duration, out var error) ? duration : throw new UsageException($"{flag}: {error}");
    }

    public static double? PositiveNumber(string flag, string? text)
    {
        if (text is null) return null;
        return double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0 && !double.IsInfinity(value)
            ? value
            : throw new UsageException($"{flag}: '{text}' is not a positive number; use e.g. {flag} 2 or {flag} 0.5");
    }

    public static int? PositiveInt(string flag, string? text)
    {
        if (text is null) return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"{flag}: '{text}' is not a positive whole number; use e.g. {flag} 256");
    }

    public static Dictionary<string, string> KeyValues(string flag, IEnumerable<string>? pairs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new UsageException($"{flag}: '{pair}' is not KEY=VALUE; use e.g. {flag} team=ml");
            map[pair[..eq]] = pair[(eq + 1)..];
        }

        return map;
    }

    public static string Isolation(string? text)
    {
        var value = text ?? "auto";
        return value is "auto" or "container" or "gvisor" or "microvm"
            ? value
            : throw new UsageException($"--isolation: '{value}' is not a tier; use auto, container, gvisor or microvm");
    }
}
