namespace Airlock.Core.Policy.Decisions;

/// <summary>
/// The patterns of <c>tools.deny</c> and <c>tools.approval</c>:
/// <list type="bullet">
/// <item><c>git push *</c> — a command: words match argv one by one (the first also by its basename); a lone
/// <c>*</c> is any number of arguments; <c>*</c> inside a word is any characters but <c>/</c>, <c>**</c> any
/// characters; a last word with a wildcard must match every remaining argument (so <c>rm -rf /*</c> also catches
/// the shell's expansion of <c>/*</c>). A <c>sh -c SCRIPT</c> is also judged by each simple command in SCRIPT.
/// <c>exec:</c> may prefix a command pattern.</item>
/// <item><c>files:delete:/workspace/**</c> — a files API operation (<c>read</c>, <c>write</c>, <c>delete</c> or
/// <c>*</c>) on a path glob; <c>/dir/**</c> covers <c>/dir</c> itself too.</item>
/// <item><c>network:*.example.com</c> — a destination host glob; <c>network:new-host</c> (approval only) is any
/// host outside <c>network.allow</c>.</item>
/// </list>
/// These rules steer what an agent asks for; they are not the security boundary against code that is already
/// running (a script can call git by other means): isolation, mounts and the egress gateway are.
/// </summary>
public static class ToolPattern
{
    public const string NewHost = "network:new-host";

    private static readonly HashSet<string> Shells = new(StringComparer.Ordinal) { "sh", "bash", "dash", "zsh", "ash", "ksh" };

    public static bool Matches(string pattern, PolicyAction action)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.StartsWith("files:", StringComparison.Ordinal)) return action is FileAction file && MatchesFile(pattern["files:".Length..], file);
        if (pattern.StartsWith("network:", StringComparison.Ordinal)) return action is NetworkAction network && MatchesHost(pattern["network:".Length..], network);
        if (action is not ExecAction exec) return false;
        var command = pattern.StartsWith("exec:", StringComparison.Ordinal) ? pattern["exec:".Length..] : pattern;
        var words = Words(command);
        return words.Count > 0 && CommandLines(exec.Argv).Any(line => MatchesWords(words, 0, line, 0));
    }

    private static bool MatchesFile(string rest, FileAction action)
    {
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return false;
        var operation = rest[..colon];
        var glob = rest[(colon + 1)..];
        var operationMatches = operation == "*" || string.Equals(operation, action.Operation.ToString(), StringComparison.OrdinalIgnoreCase);
        return operationMatches && PathGlob.Matches(glob, PathGlob.Normalize(action.Path));
    }

    private static bool MatchesHost(string rest, NetworkAction action)
    {
        if (rest == "new-host") return false;
        var (hostGlob, port) = SplitPort(rest);
        if (port is not null && action.Port != port) return false;
        return PathGlob.MatchesText(hostGlob.ToLowerInvariant(), action.Host.TrimEnd('.').ToLowerInvariant());
    }

    private static (string Host, int? Port) SplitPort(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0 && int.TryParse(text[(colon + 1)..], out var port) ? (text[..colon], port) : (text, null);
    }

    /// <summary>The argv itself, and for <c>sh -c SCRIPT</c> each simple command of the script.</summary>
    private static IEnumerable<IReadOnlyList<string>> CommandLines(IReadOnlyList<string> argv)
    {
        yield return argv;
        if (argv.Count >= 3 && Shells.Contains(Path.GetFileName(argv[0])))
        {
            var c = argv.ToList().IndexOf("-c");
            if (c > 0 && c + 1 < argv.Count)
            {
                foreach (var segment in argv[c + 1].Split([";", "&&", "||", "|", "&", "\n", "$(", "`", "(", ")"], StringSplitOptions.RemoveEmptyEntries))
                {
                    var words = Words(segment.Replace("'", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal));
                    if (words.Count > 0) yield return words;
                }
            }
        }
    }

    private static List<string> Words(string text) => [.. text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)];

    private static bool MatchesWords(IReadOnlyList<string> pattern, int p, IReadOnlyList<string> line, int l)
    {
        if (p == pattern.Count) return l == line.Count;
        var word = pattern[p];
        if (word == "*")
        {
            for (var skip = l; skip <= line.Count; skip++)
            {
                if (MatchesWords(pattern, p + 1, line, skip)) return true;
            }

            return false;
        }

        if (l >= line.Count) return false;
        var last = p == pattern.Count - 1;
        if (last && l < line.Count - 1 && HasWildcard(word))
        {
            // The shell expanded the glob into several arguments: each must match it.
            return line.Skip(l).All(arg => PathGlob.MatchesText(word, arg));
        }

        var candidate = line[l];
        var matched = PathGlob.MatchesText(word, candidate) || (p == 0 && l == 0 && PathGlob.MatchesText(word, Path.GetFileName(candidate)));
        return matched && MatchesWords(pattern, p + 1, line, l + 1);
    }

    private static bool HasWildcard(string word) => word.Contains('*', StringComparison.Ordinal) || word.Contains('?', StringComparison.Ordinal);
}
