using System.Globalization;
using System.Text.RegularExpressions;

namespace Airlock.Core.Images;

/// <summary>
/// Turns mmdebstrap's verbose output into short progress lines ("downloading packages",
/// "installing python3 (12/40)") and keeps its last lines for the error message of a failed build.
/// </summary>
internal sealed partial class MmdebstrapProgress
{
    private const int TailSize = 25;
    private readonly Queue<string> _tail = new();
    private int _total;
    private int _done;

    [GeneratedRegex(@"^\d+ upgraded, (?<n>\d+) newly installed", RegexOptions.CultureInvariant)]
    private static partial Regex NewlyInstalled();

    [GeneratedRegex(@"^Setting up (?<package>[^ :]+)", RegexOptions.CultureInvariant)]
    private static partial Regex SettingUp();

    [GeneratedRegex(@"^E: Unable to locate package (?<package>\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex UnknownPackage();

    /// <summary>A Debian package apt said does not exist, if it said so.</summary>
    public string? MissingPackage { get; private set; }

    /// <summary>The last lines seen, for a failure message.</summary>
    public string Tail => string.Join('\n', _tail);

    /// <summary>Records one output line and returns the progress line it stands for, if any.</summary>
    public string? Describe(string line)
    {
        _tail.Enqueue(line);
        if (_tail.Count > TailSize) _tail.Dequeue();

        if (line.StartsWith("I: ", StringComparison.Ordinal))
        {
            var message = line[3..].TrimEnd('.', ' ');
            return message.Length > 0 ? message : null;
        }

        if (line.StartsWith("E: ", StringComparison.Ordinal) || line.StartsWith("W: ", StringComparison.Ordinal))
        {
            if (UnknownPackage().Match(line) is { Success: true } unknown) MissingPackage = unknown.Groups["package"].Value;
            return line;
        }

        // apt runs twice (essential packages, then the rest); each run announces its count.
        if (NewlyInstalled().Match(line) is { Success: true } counted)
        {
            _total += int.Parse(counted.Groups["n"].Value, CultureInfo.InvariantCulture);
            return null;
        }

        if (SettingUp().Match(line) is { Success: true } setUp)
        {
            _done++;
            var total = Math.Max(_total, _done);
            return $"installing {setUp.Groups["package"].Value} ({_done}/{total})";
        }

        return null;
    }
}
