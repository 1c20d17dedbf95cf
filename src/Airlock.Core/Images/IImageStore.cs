namespace Airlock.Core.Images;

/// <summary>Read-only base images, each a root filesystem directory owned by <see cref="HostIdRange"/>.</summary>
public interface IImageStore
{
    /// <summary>
    /// The image's root filesystem, building it first when it is the default image and missing.
    /// Unknown images fail with InvalidArgument naming <c>airlock image ls</c> and <c>airlock image build</c>.
    /// </summary>
    Task<string> GetRootfsAsync(string name, IProgress<string>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Builds (or rebuilds) an image from Debian packages with mmdebstrap.</summary>
    Task<ImageInfo> BuildAsync(string name, IReadOnlyList<string> packages, IProgress<string>? progress = null, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ImageInfo>> ListAsync(CancellationToken cancellationToken = default);

    Task RemoveAsync(string name, CancellationToken cancellationToken = default);
}
