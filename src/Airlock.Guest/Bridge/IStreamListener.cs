namespace Airlock.Guest.Bridge;

/// <summary>Where the agent's operations come from: each accepted stream carries exactly one operation.</summary>
internal interface IStreamListener : IAsyncDisposable
{
    Task<Stream> AcceptAsync(CancellationToken cancellationToken);
}
