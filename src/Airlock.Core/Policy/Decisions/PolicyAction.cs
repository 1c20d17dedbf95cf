namespace Airlock.Core.Policy.Decisions;

/// <summary>Something a caller asks a sandbox to do, as the policy judges it (an exec, a file change, a connection).</summary>
public abstract record PolicyAction
{
    /// <summary>The action as a person reads it in an approval prompt or an audit record.</summary>
    public abstract string Describe();
}

/// <summary>Running a command: its argv exactly as it will be executed.</summary>
public sealed record ExecAction(IReadOnlyList<string> Argv) : PolicyAction
{
    public override string Describe() => "exec " + string.Join(' ', Argv.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Length == 0 ? $"'{a}'" : a));
}

/// <summary>What a file operation does to its path.</summary>
public enum FileOperation
{
    Read,
    Write,
    Delete,
}

/// <summary>Reading, writing or deleting a path inside the sandbox through the files API.</summary>
public sealed record FileAction(FileOperation Operation, string Path) : PolicyAction
{
    public override string Describe() => $"files:{Operation.ToString().ToLowerInvariant()} {Path}";
}

/// <summary>Connecting to a host (name or address), optionally on one port.</summary>
public sealed record NetworkAction(string Host, int? Port = null) : PolicyAction
{
    public override string Describe() => Port is { } port ? $"network {Host}:{port}" : $"network {Host}";
}
