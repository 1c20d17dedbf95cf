namespace Airlock.Guest;

/// <summary><c>airlock-agent serve --socket PATH [--root DIR] [--ttl-seconds N] [--log FILE]</c>.</summary>
internal sealed record AgentOptions
{
    public required string SocketPath { get; init; }

    /// <summary>The sandbox root for file operations and working directories; "/" inside a container.</summary>
    public string Root { get; init; } = "/";

    public int? TtlSeconds { get; init; }

    public string? LogPath { get; init; }

    public const string Usage = "usage: airlock-agent serve --socket PATH [--root DIR] [--ttl-seconds N] [--log FILE]";

    /// <summary>Parses the command line; null (with <paramref name="error"/>) when it is not valid.</summary>
    public static AgentOptions? Parse(string[] args, out string? error)
    {
        error = null;
        if (args.Length == 0 || args[0] != "serve")
        {
            error = Usage;
            return null;
        }

        string? socket = null, root = "/", log = null;
        int? ttl = null;
        for (int i = 1; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--socket" when value is not null:
                    socket = value;
                    break;
                case "--root" when value is not null:
                    root = value;
                    break;
                case "--log" when value is not null:
                    log = value;
                    break;
                case "--ttl-seconds" when int.TryParse(value, out int seconds) && seconds > 0:
                    ttl = seconds;
                    break;
                default:
                    error = $"unexpected argument '{args[i]}'\n{Usage}";
                    return null;
            }

            i++;
        }

        if (socket is null)
        {
            error = Usage;
            return null;
        }

        return new AgentOptions { SocketPath = socket, Root = Path.GetFullPath(root), TtlSeconds = ttl, LogPath = log };
    }
}
