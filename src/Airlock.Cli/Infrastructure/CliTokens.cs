using System.CommandLine;
using Airlock.Access;
using Airlock.Client;
using Airlock.Server;

namespace Airlock.Cli.Infrastructure;

/// <summary>
/// What the token verbs work through: the daemon's <c>/v1/tokens</c> (<c>--host</c> / <c>AIRLOCK_HOST</c>), or with no
/// daemon the data directory's token table and key directly, as the local user (an admin). Tokens are only useful
/// to a daemon, but it reads the same data directory, so a token minted here works there.
/// </summary>
internal sealed class CliTokens : IDisposable
{
    private readonly AirlockClient? _client;

    private CliTokens(ITokenOperations tokens, AirlockClient? client)
    {
        Tokens = tokens;
        _client = client;
    }

    public ITokenOperations Tokens { get; }

    public static CliTokens Open(ParseResult parse)
    {
        var paths = GlobalOptions.Paths(parse);
        if (GlobalOptions.HostAddress(parse) is { } host)
        {
            var client = CliBackend.Connect(host, paths);
            return new CliTokens(client.Tokens, client);
        }

        return new CliTokens(AccessControl.Open(paths.DataDirectory).Tokens, client: null);
    }

    public void Dispose() => _client?.Dispose();
}
