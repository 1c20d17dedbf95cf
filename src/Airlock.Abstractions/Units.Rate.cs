using System.Globalization;

namespace Airlock;

public static partial class Units
{
    private static readonly (string Suffix, long Multiplier)[] RateUnits =
        [("tbit", 1_000_000_000_000), ("gbit", 1_000_000_000), ("mbit", 1_000_000), ("kbit", 1_000), ("bit", 1)];

    /// <summary>
    /// Parses a bandwidth as tc(8) writes it — a positive number with bit, kbit, mbit, gbit or tbit (powers of
    /// 1000) — into bits per second. A unit is required: tc reads "bps" as bytes, which is too easy to get wrong.
    /// </summary>
    public static bool TryParseRate(string? text, out long bitsPerSecond, out string? error)
    {
        bitsPerSecond = 0;
        error = $"'{text}' is not a rate; use a positive number with bit, kbit, mbit or gbit, like 10mbit";
        var s = (text ?? "").Trim().ToLowerInvariant();
        foreach (var (suffix, multiplier) in RateUnits)
        {
            if (!s.EndsWith(suffix, StringComparison.Ordinal)) continue;
            if (!decimal.TryParse(s[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                return false;
            }

            // Compared before multiplying: decimal overflows (and throws) on a long enough string of digits.
            if (value > long.MaxValue / 2 / multiplier || value * multiplier < 1)
            {
                error = $"'{text}' is out of range; use between 1bit and a few tbit";
                return false;
            }

            bitsPerSecond = (long)(value * multiplier);
            error = null;
            return true;
        }

        return false;
    }

    public static long ParseRate(string? text) =>
        TryParseRate(text, out var bits, out var error) ? bits : throw AirlockException.Invalid(error!);
}
