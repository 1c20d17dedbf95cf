using Airlock.Policy;

namespace Airlock.Core.Policy;

/// <summary>
/// What a <c>files</c> rule may name, and how rules may combine, for a path already absolute and normalised.
/// Rules are mounts applied in the order written, so a later rule covers an earlier one: a later rule may
/// narrow or re-open a path inside an earlier one (<c>/data</c> read-only, then <c>/data/out</c> read-write),
/// but never name a path that encloses an earlier rule's, which would silently undo it.
/// </summary>
internal static class FileRuleChecks
{
    /// <summary>Kernel file systems every tier mounts itself; a bind or tmpfs over them would change what the sandbox's kernel view is, not its files.</summary>
    private static readonly string[] KernelTrees = ["/proc", "/sys", "/dev"];

    /// <summary>
    /// The guest agent's binary (<c>Airlock.Oci.AgentContract.BinaryPath</c>, the microVM's tmpfs) and socket
    /// directory (<c>AgentContract.SocketDirectory</c>): covering either would cut the host off from the sandbox.
    /// </summary>
    internal static readonly string[] AgentPaths = ["/.airlock", "/run/airlock"];

    /// <summary>Why <paramref name="path"/> cannot carry a rule at all, or null.</summary>
    public static string? Reserved(string path)
    {
        if (path == "/") return "'/' cannot have a rule; name the directories to restrict, e.g. /data";
        if (KernelTrees.FirstOrDefault(tree => IsSameOrInside(path, tree)) is { } kernel)
        {
            return $"'{path}' is under {kernel}, a kernel file system the sandbox gets from its runtime; rules apply to files of the sandbox's root file system";
        }

        if (AgentPaths.FirstOrDefault(agent => IsSameOrInside(path, agent) || IsSameOrInside(agent, path)) is { } own)
        {
            return $"'{path}' would cover {own}, which Airlock's guest agent needs to serve the sandbox";
        }

        return null;
    }

    /// <summary>Why <paramref name="rule"/> cannot follow the rules before it (written at <paramref name="earlierAt"/>), or null.</summary>
    public static string? Conflict(FileRule rule, IReadOnlyList<FileRule> earlier, IReadOnlyList<string> earlierAt)
    {
        for (var i = 0; i < earlier.Count; i++)
        {
            var before = earlier[i];
            if (IsSameOrInside(before.Path, rule.Path))
            {
                return $"'{rule.Path}' encloses '{before.Path}' (the rule at {earlierAt[i]}), which comes earlier; rules apply in order and this one would cover it. Write the enclosing path first";
            }

            if (before.Access == PathAccess.Hidden && IsSameOrInside(rule.Path, before.Path))
            {
                return $"'{rule.Path}' is inside '{before.Path}', which is hidden by the rule at {earlierAt[i]}; nothing inside a hidden path can be reached";
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="ancestor"/> or below it (both normalised, so a plain prefix test on '/' boundaries is exact).</summary>
    public static bool IsSameOrInside(string path, string ancestor) =>
        path == ancestor || (path.StartsWith(ancestor, StringComparison.Ordinal) && (ancestor == "/" || path[ancestor.Length] == '/'));
}
