using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Airlock.Core.Doctor;

namespace Airlock.Core.Images;

public sealed partial class MmdebstrapImageStore
{
    private const string BuildPrefix = ".build-";
    private const string TrashPrefix = ".trash-";
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    private async Task<ImageInfo> BuildCoreAsync(string name, IReadOnlyList<string> packages, bool replaceExisting, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        MmdebstrapRunner.FindOrThrow();
        using var buildLock = await LockAsync(name, progress, cancellationToken);

        // Whoever held the lock before us may have just built it.
        var existing = ReadInfo(name);
        if (existing is not null && !replaceExisting && MissingRecipePackages(existing).Count == 0) return existing;
        if (existing is not null) ThrowIfInUse(name, replaceExisting ? "rebuild" : $"rebuild (it lacks {string.Join(", ", MissingRecipePackages(existing))})");
        RemoveLeftovers(name, keepImage: existing is not null);

        var build = Path.Combine(_paths.Images, $"{BuildPrefix}{name}-{RandomSuffix()}");
        Directory.CreateDirectory(build);
        try
        {
            var rootfs = Path.Combine(build, RootfsDirectoryName);
            var what = packages.Count > 0 ? string.Join(", ", packages) : "minimal base only";
            progress?.Report($"building image '{name}' from Debian {ImageNames.Suite} ({what})");
            var started = Stopwatch.GetTimestamp();
            await MmdebstrapRunner.RunAsync(name, rootfs, packages, progress, cancellationToken);
            var built = Stopwatch.GetElapsedTime(started);

            RootfsFinisher.Finish(rootfs);
            if (LocaleArchive.Missing(rootfs)) LocaleArchive.Add(rootfs, owner: null);
            cancellationToken.ThrowIfCancellationRequested();
            started = Stopwatch.GetTimestamp();
            var shifted = await RootfsOwnership.ShiftAsync(rootfs, HostIdRange.Base, cancellationToken);
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"gave {shifted} files to the sandbox id range in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s (mmdebstrap took {built.TotalSeconds:0} s)"));

            var info = new ImageInfo
            {
                Name = name,
                Packages = packages,
                CreatedAt = _time.GetUtcNow(),
                SizeBytes = DirectorySize.Of(rootfs),
            };
            cancellationToken.ThrowIfCancellationRequested();

            // From here on there is nothing to cancel: swap the new tree in, then publish it.
            if (existing is not null) RetireImageDirectory(name);
            Directory.Move(build, ImageDirectory(name));
            WriteInfo(ImageDirectory(name), info);
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"image '{name}' ready ({info.SizeBytes / (1024.0 * 1024.0):0} MB)"));
            return info;
        }
        catch
        {
            DeleteTree(build);
            throw;
        }
    }

    private string LockPath(string name) => Path.Combine(_paths.Images, $".lock-{name}");

    private Task<ImageBuildLock> LockAsync(string name, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_paths.Images);
        return ImageBuildLock.AcquireAsync(
            LockPath(name),
            () => progress?.Report($"waiting for another build of image '{name}' to finish"),
            _time,
            cancellationToken);
    }

    /// <summary>Unpublishes an image (image.json first, so it stops existing at once), then deletes its files.</summary>
    private void RetireImageDirectory(string name)
    {
        var directory = ImageDirectory(name);
        File.Delete(Path.Combine(directory, InfoFileName));
        var trash = Path.Combine(_paths.Images, $"{TrashPrefix}{name}-{RandomSuffix()}");
        Directory.Move(directory, trash);
        DeleteTree(trash);
    }

    /// <summary>
    /// Deletes what a build or removal of this name cut short left behind. Called with the name's
    /// lock held, so no other process is using these directories.
    /// </summary>
    private void RemoveLeftovers(string name, bool keepImage)
    {
        foreach (var directory in Directory.EnumerateDirectories(_paths.Images))
        {
            var entry = Path.GetFileName(directory);
            if (IsLeftoverOf(entry, BuildPrefix, name) || IsLeftoverOf(entry, TrashPrefix, name)) DeleteTree(directory);
        }

        // A directory with no image.json is a swap cut short between move and publish.
        if (!keepImage && Directory.Exists(ImageDirectory(name))) DeleteTree(ImageDirectory(name));
    }

    // Exactly "{prefix}{name}-{8 hex}": ".build-py-1a2b3c4d" is py's, ".build-py-x-1a2b3c4d" is py-x's.
    internal static bool IsLeftoverOf(string entry, string prefix, string name)
    {
        var start = prefix + name + "-";
        if (!entry.StartsWith(start, StringComparison.Ordinal)) return false;
        var suffix = entry.AsSpan(start.Length);
        return suffix.Length == 8 && suffix.IndexOfAnyExcept(LowerHex) < 0;
    }

    /// <summary>
    /// Deletes a tree, first unmounting anything mounted inside it: a recursive delete walks into
    /// mount points, and a /dev or /sys left bind-mounted by a killed mmdebstrap is the host's.
    /// </summary>
    internal static void DeleteTree(string path)
    {
        if (!Directory.Exists(path)) return;
        var mounts = MountTable.MountPointsUnder(path, File.ReadAllText(MountTable.MountInfoPath));
        if (mounts.Count > 0)
        {
            var umount = HostCommand.Find("umount") ?? "umount";
            foreach (var mountPoint in mounts) HostCommand.Run(umount, ["--lazy", mountPoint]);
            var left = MountTable.MountPointsUnder(path, File.ReadAllText(MountTable.MountInfoPath));
            if (left.Count > 0)
            {
                throw AirlockException.Unavailable($"cannot delete {path}: still mounted at {string.Join(", ", left)}; unmount them (umount -l) and try again");
            }
        }

        Directory.Delete(path, recursive: true);
    }

    private static string RandomSuffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
}
