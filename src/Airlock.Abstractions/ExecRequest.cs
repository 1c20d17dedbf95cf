using System.Text.Json.Serialization;

namespace Airlock;

/// <summary>A command to run in a sandbox.</summary>
public sealed record ExecRequest
{
    public required IReadOnlyList<string> Command { get; init; }

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Working directory inside the sandbox; defaults to <c>/workspace</c>.</summary>
    public string? Cwd { get; init; }

    /// <summary>Kill the command (exit 124, reason <c>timeout</c>) when it runs longer.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Bytes fed to the command's standard input, which is closed at their end. Null: empty stdin.</summary>
    [JsonIgnore]
    public Stream? Stdin { get; init; }
}
