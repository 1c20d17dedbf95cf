namespace Airlock.Cli.Infrastructure;

/// <summary>
/// One invocation: the console and the command after <c>--</c>. The CLI splits the arguments at the first
/// <c>--</c> itself, so a command's own flags (<c>-- ls -l</c>) never reach the option parser.
/// </summary>
internal sealed record CliContext(CliConsole Console, IReadOnlyList<string> Command, bool HasSeparator);
