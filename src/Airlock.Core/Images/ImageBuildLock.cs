namespace Airlock.Core.Images;

/// <summary>
/// An exclusive lock on one image name across processes (two CLIs building "python" at once).
/// .NET takes FileShare.None as flock(LOCK_EX) on Linux; the kernel drops it when the process
/// dies, so a crashed build never leaves the name locked. The file itself is never deleted:
/// deleting a lock file lets a third process lock a new inode while a second still waits on the old.
/// </summary>
internal sealed class ImageBuildLock : IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);
    private readonly FileStream _stream;

    private ImageBuildLock(FileStream stream) => _stream = stream;

    public static async Task<ImageBuildLock> AcquireAsync(string path, Action onWaiting, TimeProvider time, CancellationToken cancellationToken)
    {
        var told = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryAcquire(path) is { } acquired) return acquired;
            if (!told)
            {
                onWaiting();
                told = true;
            }

            await Task.Delay(RetryInterval, time, cancellationToken);
        }
    }

    /// <summary>The lock if no one holds it now; null otherwise (for work that can wait for a later chance).</summary>
    public static ImageBuildLock? TryAcquire(string path)
    {
        try
        {
            return new ImageBuildLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e is not DirectoryNotFoundException and not PathTooLongException)
        {
            return null;
        }
    }

    public void Dispose() => _stream.Dispose();
}
