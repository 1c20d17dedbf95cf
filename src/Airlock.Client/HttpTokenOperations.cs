using Airlock.Access;
using Airlock.Client.Wire;

namespace Airlock.Client;

/// <summary><see cref="ITokenOperations"/> against a daemon's <c>/v1/tokens</c> routes.</summary>
internal sealed class HttpTokenOperations(DaemonConnection daemon) : ITokenOperations
{
    public Task<MintedToken> MintAsync(TokenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new CreateTokenBody
        {
            Name = request.Name,
            Scopes = request.Scopes,
            Sandbox = request.Sandbox,
            Labels = request.Labels,
            Ttl = request.Ttl is { } ttl ? WireFormat.Duration(ttl) : null,
        };
        return daemon.SendJsonAsync<MintedToken>(daemon.Request(HttpMethod.Post, "v1/tokens", DaemonConnection.Json(body)), cancellationToken);
    }

    public async Task<IReadOnlyList<TokenInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        (await daemon.SendJsonAsync<TokenList>(daemon.Request(HttpMethod.Get, "v1/tokens"), cancellationToken)).Tokens;

    public Task<TokenInfo> RevokeAsync(string id, CancellationToken cancellationToken = default) =>
        daemon.SendJsonAsync<TokenInfo>(daemon.Request(HttpMethod.Delete, "v1/tokens/" + DaemonConnection.Escape(id)), cancellationToken);
}
