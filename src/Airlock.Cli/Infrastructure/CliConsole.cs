namespace Airlock.Cli.Infrastructure;

/// <summary>The process's standard streams, replaceable in tests. Raw streams carry a command's bytes untouched.</summary>
internal sealed record CliConsole
{
    public required Stream Input { get; init; }

    public required Stream OutputStream { get; init; }

    public required TextWriter Output { get; init; }

    public required Stream ErrorStream { get; init; }

    public required TextWriter Error { get; init; }

    public bool ErrorIsTerminal { get; init; }

    public bool OutputIsTerminal { get; init; }

    public static CliConsole System => new()
    {
        Input = Console.OpenStandardInput(),
        OutputStream = Console.OpenStandardOutput(),
        Output = Console.Out,
        ErrorStream = Console.OpenStandardError(),
        Error = Console.Error,
        ErrorIsTerminal = !Console.IsErrorRedirected,
        OutputIsTerminal = !Console.IsOutputRedirected,
    };

    /// <summary>One line on stderr, prefixed like every message of airlock's own.</summary>
    public void Say(string message) => Error.WriteLine("airlock: " + message);
}
