namespace Airlock.Core.Policy;

/// <summary>
/// Collects every problem of a policy document, so that one run shows them all rather than one per
/// edit-and-retry, and turns them into one message: <c>policy.yaml:3:12: limits.memory: ...</c> a line each.
/// </summary>
internal sealed class PolicyErrors(string? fileName)
{
    /// <summary>Enough to fix a file by; a pathological document must not make a message of megabytes.</summary>
    private const int MaxShown = 50;

    private readonly List<(PolicyPosition At, string Text)> errors = [];

    public int Count => errors.Count;

    public void Add(PolicyPosition at, string path, string message)
    {
        var prefix = fileName is null ? $"{at}" : $"{fileName}:{at}";
        errors.Add((at, path.Length == 0 ? $"{prefix}: {message}" : $"{prefix}: {path}: {message}"));
    }

    public void Add(PolicyNode node, string path, string message) => Add(node.Start, path, message);

    public AirlockException ToException()
    {
        var lines = errors.OrderBy(e => e.At).Select(e => e.Text).Take(MaxShown).ToList();
        if (errors.Count > MaxShown) lines.Add($"... and {errors.Count - MaxShown} more errors");
        return AirlockException.Invalid(string.Join('\n', lines));
    }

    public void ThrowIfAny()
    {
        if (errors.Count > 0) throw ToException();
    }
}
