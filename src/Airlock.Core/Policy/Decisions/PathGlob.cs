using System.Text;
using System.Text.RegularExpressions;

namespace Airlock.Core.Policy.Decisions;

/// <summary>Globs over paths and words: <c>*</c> is any characters but <c>/</c>, <c>**</c> any characters, <c>?</c> one character but <c>/</c>.</summary>
internal static class PathGlob
{
    /// <summary>A path glob; <c>/dir/**</c> also matches <c>/dir</c> itself.</summary>
    public static bool Matches(string glob, string path) =>
        MatchesText(glob, path) || (glob.EndsWith("/**", StringComparison.Ordinal) && path == glob[..^3]);

    public static bool MatchesText(string glob, string text) =>
        Regex.IsMatch(text, ToRegex(glob), RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromMilliseconds(100));

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or below it.</summary>
    public static bool IsUnder(string path, string root)
    {
        var normal = Normalize(path);
        return root == "/" || normal == root || normal.StartsWith(root + "/", StringComparison.Ordinal);
    }

    /// <summary>Absolute, single slashes, <c>.</c> and <c>..</c> resolved lexically, no trailing slash.</summary>
    public static string Normalize(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".") continue;
            if (segment == "..")
            {
                if (segments.Count > 0) segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(segment);
        }

        return "/" + string.Join('/', segments);
    }

    private static string ToRegex(string glob)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                regex.Append(".*");
                i++;
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        return regex.Append('$').ToString();
    }
}
