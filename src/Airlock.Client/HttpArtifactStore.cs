using System.Net.Http.Headers;
using Airlock.Artifacts;
using Airlock.Client.Wire;

namespace Airlock.Client;

/// <summary>The daemon's artifact store over <c>/v1/artifacts</c>; downloads are checked against their digest as they are read.</summary>
internal sealed class HttpArtifactStore(DaemonConnection daemon) : IArtifactStore
{
    public Task<ArtifactInfo> PutAsync(Stream content, string? mediaType = null, string? name = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var body = new StreamContent(content, 81920);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(string.IsNullOrWhiteSpace(mediaType) ? "application/octet-stream" : mediaType);
        var query = string.IsNullOrEmpty(name) ? "" : "?name=" + DaemonConnection.Escape(name);
        return daemon.SendJsonAsync<ArtifactInfo>(daemon.Request(HttpMethod.Put, "v1/artifacts" + query, body), cancellationToken);
    }

    public Task<ArtifactInfo> GetInfoAsync(string digest, CancellationToken cancellationToken = default) =>
        daemon.SendJsonAsync<ArtifactInfo>(daemon.Request(HttpMethod.Get, Path(digest) + "/manifest"), cancellationToken);

    public async Task<Stream> OpenAsync(string digest, CancellationToken cancellationToken = default) =>
        new DigestCheckingStream(await daemon.OpenDownloadAsync(Path(digest), cancellationToken), digest);

    public async Task<IReadOnlyList<ArtifactInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        (await daemon.SendJsonAsync<ArtifactList>(daemon.Request(HttpMethod.Get, "v1/artifacts"), cancellationToken)).Artifacts;

    public Task DeleteAsync(string digest, CancellationToken cancellationToken = default) =>
        daemon.SendNoContentAsync(daemon.Request(HttpMethod.Delete, Path(digest)), cancellationToken);

    private static string Path(string digest)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(digest);
        return "v1/artifacts/" + DaemonConnection.Escape(digest);
    }
}
