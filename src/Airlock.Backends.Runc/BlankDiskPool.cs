using System.Globalization;
using Airlock.Core;
using Airlock.Oci;

namespace Airlock.Backends.Runc;

/// <summary>
/// Freshly formatted, never-mounted disk images kept ready so that creating a sandbox does not wait for
/// mkfs. A pooled image has never been seen by any sandbox, so nothing can persist from one sandbox into
/// the next. Files: <c>{data}/disk-pool/blank-{bytes}-{random}.img</c>, taken by an atomic rename; images
/// in the making are <c>.making-*</c> and are deleted when found stale.
/// </summary>
internal sealed class BlankDiskPool(AirlockPaths paths)
{
    private const int KeepPerSize = 2;
    private readonly string _directory = Path.Combine(paths.DataDirectory, "disk-pool");
    private int _refilling;

    /// <summary>Moves a pooled blank image of exactly <paramref name="bytes"/> to <paramref name="destination"/>.</summary>
    public bool TryTake(long bytes, string destination)
    {
        if (!Directory.Exists(_directory)) return false;
        foreach (var candidate in Directory.EnumerateFiles(_directory, $"blank-{bytes}-*.img"))
        {
            try
            {
                File.Move(candidate, destination);
                return true;
            }
            catch (FileNotFoundException)
            {
                // Another process took it first.
            }
            catch (IOException)
            {
            }
        }

        return false;
    }

    /// <summary>Tops the pool up for this size in the background; at most one refill runs per process.</summary>
    public void RefillInBackground(long bytes)
    {
        if (Interlocked.Exchange(ref _refilling, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await RefillAsync(bytes, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or HostCommandException or UnauthorizedAccessException)
            {
                // The pool is an optimisation: creation formats its own disk when the pool is empty.
            }
            finally
            {
                Volatile.Write(ref _refilling, 0);
            }
        });
    }

    public async Task RefillAsync(long bytes, CancellationToken cancellationToken)
    {
        // A data directory removed meanwhile (a test's, a host's cleanup) is not brought back to hold blank disks.
        if (!Directory.Exists(Path.GetDirectoryName(_directory))) return;
        Directory.CreateDirectory(_directory);
        RemoveStaleMakings();
        while (Directory.EnumerateFiles(_directory, $"blank-{bytes}-*.img").Count() < KeepPerSize)
        {
            var name = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
            var making = Path.Combine(_directory, $".making-{Environment.ProcessId}-{name}.img");
            try
            {
                await FormatAsync(making, bytes, cancellationToken, lowPriority: true);
                File.Move(making, Path.Combine(_directory, $"blank-{bytes}-{name}.img"));
            }
            finally
            {
                File.Delete(making);
            }
        }
    }

    /// <summary>
    /// A sparse file of exactly <paramref name="bytes"/> with an empty ext4 file system on it. <paramref name="lowPriority"/>
    /// (a refill, beside sandboxes starting and running): mkfs at nice 19, taking only the CPU they leave idle (~5 ms of
    /// it for 1 GiB).
    /// </summary>
    public static async Task FormatAsync(string image, long bytes, CancellationToken cancellationToken, bool lowPriority = false)
    {
        using (var file = new FileStream(image, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            file.SetLength(bytes);
        }

        // No journal (the disk dies with the sandbox), no reserved blocks (the quota is all the sandbox's),
        // lazy inode tables so mkfs writes a few hundred KB, not megabytes.
        List<string> command = lowPriority ? ["nice", "-n", "19"] : [];
        command.AddRange(["mkfs.ext4", "-q", "-F", "-m", "0", "-O", "^has_journal", "-E", "lazy_itable_init=1,nodiscard", image]);
        var result = await HostCommand.RunAsync(command[0], command[1..], TimeSpan.FromSeconds(60), cancellationToken);
        if (!result.Succeeded)
        {
            throw new HostCommandException($"formatting {image} failed: {result.Message}");
        }
    }

    /// <summary>Images a killed process was making (its pid is gone) are half-written: delete them.</summary>
    public void RemoveStaleMakings()
    {
        if (!Directory.Exists(_directory)) return;
        foreach (var making in Directory.EnumerateFiles(_directory, ".making-*.img"))
        {
            var pidText = Path.GetFileName(making).Split('-')[1];
            if (int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                File.Delete(making);
            }
        }
    }
}
