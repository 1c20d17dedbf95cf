using Airlock.Core.Images;

namespace Airlock.Core.Tests.Images;

public sealed class ImageBuildLockTests : IDisposable
{
    private readonly TempImagesDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Acquire_WaitsWhileAnotherHolderHasTheLock()
    {
        var path = Path.Combine(_dir.Root, ".lock-python");
        var waited = 0;
        var first = await ImageBuildLock.AcquireAsync(path, () => waited++, TimeProvider.System, CancellationToken.None);

        var second = ImageBuildLock.AcquireAsync(path, () => waited++, TimeProvider.System, CancellationToken.None);
        await Task.Delay(600);
        Assert.False(second.IsCompleted);
        Assert.Equal(1, waited);

        first.Dispose();
        using var acquired = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task Acquire_GivesUpWhenCancelled()
    {
        var path = Path.Combine(_dir.Root, ".lock-python");
        using var first = await ImageBuildLock.AcquireAsync(path, () => { }, TimeProvider.System, CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => ImageBuildLock.AcquireAsync(path, () => { }, TimeProvider.System, cancel.Token));
    }
}
