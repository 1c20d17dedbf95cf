using Airlock.Core.Artifacts;
using Microsoft.Extensions.Time.Testing;

namespace Airlock.Core.Tests.Artifacts;

public sealed class ArtifactStoreTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "airlock-artifact-store-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    [Fact]
    public async Task Put_StampsTheInjectedClock_AndKeepsTheKeyOwnerOnly()
    {
        using var store = new ArtifactStore(new AirlockPaths(_data), 1024, _clock);
        var info = await store.PutAsync(new MemoryStream([1, 2, 3]));
        Assert.Equal(_clock.GetUtcNow(), info.CreatedAt);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(new AirlockPaths(_data).ArtifactSigningKey));
    }

    [Fact]
    public async Task ManifestCopiedOverAnother_IsRefused_NamingWhatItDescribes()
    {
        using var store = new ArtifactStore(new AirlockPaths(_data), 1024, _clock);
        var a = await store.PutAsync(new MemoryStream([1]));
        var b = await store.PutAsync(new MemoryStream([2]));
        File.Copy(store.ManifestPath(a.Digest), store.ManifestPath(b.Digest), overwrite: true);

        var e = await Assert.ThrowsAsync<AirlockException>(() => store.OpenAsync(b.Digest));
        Assert.Equal(AirlockErrorKind.Conflict, e.Kind);
        Assert.Contains($"its manifest describes {a.Digest}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_Reopened_StillVerifiesWhatItSigned()
    {
        string digest;
        using (var first = new ArtifactStore(new AirlockPaths(_data), 1024, _clock))
        {
            digest = (await first.PutAsync(new MemoryStream([7, 7]), "text/plain", "n")).Digest;
        }

        using var second = new ArtifactStore(new AirlockPaths(_data), 1024, _clock);
        await using var content = await second.OpenAsync(digest);
        Assert.Equal(2, content.Length);
    }

    public void Dispose()
    {
        if (Directory.Exists(_data)) Directory.Delete(_data, recursive: true);
    }
}
