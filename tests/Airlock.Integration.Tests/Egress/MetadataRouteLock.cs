namespace Airlock.Integration.Tests.Egress;

/// <summary>
/// A host-wide exclusive lock (flock on <c>/run/airlock/metadata-route.lock</c>) held by whoever routes the cloud
/// metadata address into a namespace of its own. Waits, polling, up to ten minutes.
/// </summary>
internal static class MetadataRouteLock
{
    public const string Path = "/run/airlock/metadata-route.lock";

    public static async Task<IDisposable> AcquireAsync()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock on Linux: released when the stream is disposed or the process dies.
                return new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
