namespace Airlock.RedTeam.Host.Internet;

/// <summary>
/// A host-wide exclusive lock (flock on <c>/run/airlock/metadata-route.lock</c>) held by whoever routes the cloud
/// metadata address into a namespace of its own: the battery's internet and the integration tests' take turns rather
/// than one finding the other's route. Released when disposed or when the process dies.
/// </summary>
internal static class MetadataRouteLock
{
    public const string Path = "/run/airlock/metadata-route.lock";

    /// <summary>The lock, or null when it stayed taken for <paramref name="patience"/>.</summary>
    public static async Task<IDisposable?> AcquireAsync(TimeSpan patience, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock on Linux.
                return new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }
}
