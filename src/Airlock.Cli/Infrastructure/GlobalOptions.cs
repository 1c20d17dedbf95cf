using System.CommandLine;
using Airlock.Core;

namespace Airlock.Cli.Infrastructure;

/// <summary>Options every verb accepts: where the data lives and which daemon (if any) to talk to.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Data = new("--data")
    {
        Description = "Data directory (default: $AIRLOCK_DATA, /var/lib/airlock as root)",
        Recursive = true,
    };

    public static readonly Option<string> Host = new("--host")
    {
        Description = "Daemon address, e.g. http://127.0.0.1:7070 (default: $AIRLOCK_HOST; none: embedded engine)",
        Recursive = true,
    };

    public static AirlockPaths Paths(ParseResult parse) =>
        new(Path.GetFullPath(parse.GetValue(Data) is { Length: > 0 } data ? data : AirlockPaths.DefaultDataDirectory));

    /// <summary>The daemon to talk to, or null for the embedded engine.</summary>
    public static string? HostAddress(ParseResult parse) =>
        parse.GetValue(Host) is { Length: > 0 } host ? host
        : Environment.GetEnvironmentVariable("AIRLOCK_HOST") is { Length: > 0 } fromEnv ? fromEnv
        : null;
}
