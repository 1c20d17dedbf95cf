using System.Globalization;

namespace Airlock;

/// <summary>Parses the sizes (<c>512m</c>, <c>2g</c>) and durations (<c>30s</c>, <c>5m</c>) of the CLI, the API and policies.</summary>
public static partial class Units
{
    /// <summary>Parses a size: a whole number of bytes with an optional k, m, g or t suffix (powers of 1024; "b", "i", "ib" tolerated).</summary>
    public static bool TryParseSize(string? text, out long bytes, out string? error)
    {
        bytes = 0;
        error = null;
        var s = (text ?? "").Trim().ToLowerInvariant();
        if (s.EndsWith("ib", StringComparison.Ordinal)) s = s[..^2];
        else if (s.EndsWith('b')) s = s[..^1];
        else if (s.EndsWith('i')) s = s[..^1];
        long multiplier = 1;
        if (s.Length > 0 && "kmgt".Contains(s[^1], StringComparison.Ordinal))
        {
            multiplier = s[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, _ => 1L << 40 };
            s = s[..^1];
        }

        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            error = $"'{text}' is not a size; use a positive number with an optional unit, like 512m or 2g";
            return false;
        }

        // Compared before multiplying: decimal overflows (and throws) on 28 nines and a 't'.
        if (value > long.MaxValue / 2 / multiplier)
        {
            error = $"'{text}' is too large";
            return false;
        }

        bytes = (long)(value * multiplier);
        return true;
    }

    public static long ParseSize(string? text) =>
        TryParseSize(text, out var bytes, out var error) ? bytes : throw AirlockException.Invalid(error!);

    /// <summary>Parses a duration: a positive number with unit ms, s, m, h or d (a bare number means seconds), or several like <c>1m30s</c>.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration, out string? error)
    {
        duration = TimeSpan.Zero;
        error = $"'{text}' is not a duration; use a positive number with a unit, like 30s, 5m or 1h";
        var s = (text ?? "").Trim().ToLowerInvariant();
        if (s.Length == 0) return false;
        if (double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var bare))
        {
            if (bare <= 0 || bare > 100L * 365 * 86400) return false;
            duration = TimeSpan.FromSeconds(bare);
            error = null;
            return true;
        }

        var total = 0.0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (start == i) return false;
            if (!double.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
            double seconds = s[unitStart..i] switch
            {
                "ms" => 0.001,
                "s" or "sec" => 1,
                "m" or "min" => 60,
                "h" => 3600,
                "d" => 86400,
                _ => double.NaN,
            };
            if (double.IsNaN(seconds)) return false;
            total += number * seconds;
        }

        if (total <= 0 || total > 100L * 365 * 86400) return false;
        duration = TimeSpan.FromSeconds(total);
        error = null;
        return true;
    }

    public static TimeSpan ParseDuration(string? text) =>
        TryParseDuration(text, out var duration, out var error) ? duration : throw AirlockException.Invalid(error!);

    /// <summary>Formats bytes the way <see cref="ParseSize"/> reads them back (e.g. 512m).</summary>
    public static string FormatSize(long bytes)
    {
        foreach (var (suffix, shift) in new[] { ("t", 40), ("g", 30), ("m", 20), ("k", 10) })
        {
            if (bytes >= 1L << shift && bytes % (1L << shift) == 0) return $"{bytes >> shift}{suffix}";
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Formats a duration the way <see cref="ParseDuration"/> reads it back: 90s, 5m, 2h, or 1500ms.</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        var ms = (long)Math.Round(duration.TotalMilliseconds);
        foreach (var (suffix, unit) in new[] { ("h", 3_600_000L), ("m", 60_000L), ("s", 1000L) })
        {
            if (ms >= unit && ms % unit == 0) return $"{ms / unit}{suffix}";
        }

        return ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }
}
