namespace Airlock;

/// <summary>An interactive command on a pseudo-terminal inside a sandbox (<see cref="ISandboxChannels.OpenTerminalAsync"/>).</summary>
public sealed record TerminalRequest
{
    /// <summary>What runs when no command is given: a login shell, so the image's profile sets the prompt and PATH.</summary>
    public static IReadOnlyList<string> DefaultShell { get; } = ["/bin/bash", "-l"];

    /// <summary>The largest width or height accepted: a terminal bigger than this is a mistake, not a screen.</summary>
    public const int MaxDimension = 1000;

    /// <summary>The command and its arguments; <see cref="DefaultShell"/> when empty.</summary>
    public IReadOnlyList<string> Command { get; init; } = DefaultShell;

    public int Columns { get; init; } = 80;

    public int Rows { get; init; } = 24;

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public string? Cwd { get; init; }

    /// <summary>Throws <see cref="AirlockException"/> (InvalidArgument) naming what is wrong.</summary>
    public static void ValidateSize(int columns, int rows)
    {
        if (columns is < 1 or > MaxDimension || rows is < 1 or > MaxDimension)
        {
            throw AirlockException.Invalid($"a terminal size must be 1..{MaxDimension} columns and rows (got {columns}x{rows})");
        }
    }
}
