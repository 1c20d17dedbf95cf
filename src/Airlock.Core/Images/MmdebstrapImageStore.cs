using System.Text.Json;

namespace Airlock.Core.Images;

/// <summary>
/// Images built from Debian packages with mmdebstrap. Layout under <see cref="AirlockPaths.Images"/>:
/// <c>{name}/rootfs/</c> (the read-only base, owned by <see cref="HostIdRange"/>) and
/// <c>{name}/image.json</c>. An image exists only once image.json does: it is written last, by
/// rename, so a build cut short (crash, Ctrl-C) is never used and is cleaned up by the next build.
/// Entries starting with '.' are the store's own: <c>.build-{name}-{random}</c> (a build in
/// progress), <c>.trash-{name}-{random}</c> (a replaced image being deleted), <c>.lock-{name}</c>.
/// </summary>
public sealed partial class MmdebstrapImageStore : IImageStore
{
    internal const string InfoFileName = "image.json";
    internal const string RootfsDirectoryName = "rootfs";

    private readonly AirlockPaths _paths;
    private readonly TimeProvider _time;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _localeArchiveFailed = new(StringComparer.Ordinal);

    public MmdebstrapImageStore(AirlockPaths paths, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        _paths = paths;
        _time = time ?? TimeProvider.System;
    }

    public async Task<string> GetRootfsAsync(string name, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ImageNames.ValidateName(name);
        var info = ReadInfo(name);
        if (info is not null && MissingRecipePackages(info).Count == 0)
        {
            if (LocaleArchive.Missing(RootfsOf(name))) TryAddLocaleArchive(name, progress);
            return RootfsOf(name);
        }

        if (ImageNames.Recipe(name) is not { } recipe) throw ImageNames.Unknown(name);

        progress?.Report(info is null
            ? $"building the image '{name}' (first use; a few minutes)"
            : $"rebuilding the image '{name}': it lacks {string.Join(", ", MissingRecipePackages(info))} (built by an older Airlock)");
        await BuildCoreAsync(name, recipe, replaceExisting: false, progress, cancellationToken);
        return RootfsOf(name);
    }

    public async Task<ImageInfo> BuildAsync(string name, IReadOnlyList<string> packages, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ImageNames.ValidateName(name);
        var valid = ImageNames.ValidatePackages(packages);
        return await BuildCoreAsync(name, valid, replaceExisting: true, progress, cancellationToken);
    }

    public Task<IReadOnlyList<ImageInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var images = new List<ImageInfo>();
        if (Directory.Exists(_paths.Images))
        {
            foreach (var directory in Directory.EnumerateDirectories(_paths.Images).Order(StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = Path.GetFileName(directory);
                if (name.StartsWith('.')) continue;
                if (ReadInfo(name) is { } info) images.Add(info);
            }
        }

        return Task.FromResult<IReadOnlyList<ImageInfo>>(images);
    }

    public async Task RemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        ImageNames.ValidateName(name);
        if (ReadInfo(name) is null) throw AirlockException.NotFound($"no image '{name}'; `airlock image ls` lists the images");

        using var buildLock = await LockAsync(name, progress: null, cancellationToken);
        if (ReadInfo(name) is null) throw AirlockException.NotFound($"no image '{name}'; `airlock image ls` lists the images");
        ThrowIfInUse(name, "remove");
        RetireImageDirectory(name);
    }

    /// <summary>
    /// Gives an image built by an older Airlock its locale archive (see <see cref="LocaleArchive"/>), under the build
    /// lock and only while no sandbox's overlay uses the tree: a lower layer must not change under a mounted overlay.
    /// Never waits: with the lock held elsewhere (a build) or the image in use, the create goes on with the image as it
    /// is (correct, only slower to start commands) and a later one tries again. A failed localedef is not retried by
    /// this process.
    /// </summary>
    private void TryAddLocaleArchive(string name, IProgress<string>? progress)
    {
        if (_localeArchiveFailed.ContainsKey(name)) return;
        Directory.CreateDirectory(_paths.Images);
        using var buildLock = ImageBuildLock.TryAcquire(LockPath(name));
        var rootfs = RootfsOf(name);
        if (buildLock is null || ReadInfo(name) is null || !LocaleArchive.Missing(rootfs)) return;
        if (MountTable.OverlaysUsing(rootfs, File.ReadAllText(MountTable.MountInfoPath)).Count > 0) return;
        try
        {
            LocaleArchive.Add(rootfs, owner: HostIdRange.Base);
            progress?.Report($"image '{name}': added the C.UTF-8 locale archive (commands start faster)");
        }
        catch (AirlockException e)
        {
            _localeArchiveFailed[name] = true;
            progress?.Report($"image '{name}': {e.Message}; left as it was");
        }
    }

    /// <summary>
    /// The packages of its recipe that a "python" or "python-data" image lacks (none for any other name). An image
    /// built by an older Airlock (before the code interpreter's Jupyter packages, say) is rebuilt at next use rather
    /// than failing later inside a sandbox; a superset passes, so a user's richer image and a newer Airlock's are kept.
    /// </summary>
    internal static IReadOnlyList<string> MissingRecipePackages(ImageInfo info) =>
        ImageNames.Recipe(info.Name) is { } recipe ? [.. recipe.Except(info.Packages, StringComparer.Ordinal)] : [];

    /// <summary>The directory of one image (its rootfs and image.json).</summary>
    internal string ImageDirectory(string name) => Path.Combine(_paths.Images, name);

    internal string RootfsOf(string name) => Path.Combine(ImageDirectory(name), RootfsDirectoryName);

    private string InfoPath(string name) => Path.Combine(ImageDirectory(name), InfoFileName);

    private ImageInfo? ReadInfo(string name)
    {
        var path = InfoPath(name);
        if (!File.Exists(path)) return null;
        try
        {
            var info = JsonSerializer.Deserialize(File.ReadAllText(path), ImageJsonContext.Default.ImageInfo);
            return info is not null && info.Name == name ? info : null;
        }
        catch (JsonException)
        {
            // Written by rename, so never torn; a hand-edited file counts as no image and is rebuilt.
            return null;
        }
    }

    private void WriteInfo(string directory, ImageInfo info)
    {
        var final = Path.Combine(directory, InfoFileName);
        var temporary = final + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, info, ImageJsonContext.Default.ImageInfo);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, final, overwrite: true);
    }

    private void ThrowIfInUse(string name, string verb)
    {
        var rootfs = RootfsOf(name);
        string mountInfo;
        try
        {
            mountInfo = File.ReadAllText(MountTable.MountInfoPath);
        }
        catch (IOException)
        {
            return;
        }

        var users = MountTable.OverlaysUsing(rootfs, mountInfo);
        if (users.Count > 0)
        {
            throw AirlockException.Conflict(
                $"cannot {verb} image '{name}': running sandboxes use it (overlay mounted at {string.Join(", ", users)}); remove those sandboxes first (`airlock ps`, `airlock rm`)");
        }
    }
}
