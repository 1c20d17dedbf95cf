using System.CommandLine;

namespace Airlock.Cli.Infrastructure;

/// <summary>
/// The "-- CMD [ARG...]" of run and exec, for help only: <see cref="CliApp"/> splits the command off at
/// "--" before parsing (see <see cref="CliContext"/>), so this argument never receives a token.
/// </summary>
internal static class CommandArgument
{
    public static Argument<string[]> Create()
    {
        var argument = new Argument<string[]>("-- CMD [ARG...]")
        {
            Description = "The command to run and its arguments, after --",
            Arity = ArgumentArity.ZeroOrMore,
        };
        // Any token landing here was before "--": an unknown flag or a stray word.
        argument.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0) result.AddError($"unrecognized flag or argument '{result.Tokens[0].Value}'");
        });
        return argument;
    }
}
