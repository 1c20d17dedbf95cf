using System.Diagnostics;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>
/// A small ext4 file system in an image file, loop-mounted at a temp directory, so a data directory can run out of
/// space without the host's disk noticing. Disposing unmounts it, detaches the loop device and deletes the image.
/// </summary>
internal sealed class SmallFileSystem : IDisposable
{
    private readonly string _root;
    private readonly string _image;

    public SmallFileSystem(long bytes)
    {
        _root = Directory.CreateTempSubdirectory("airlock-df-").FullName;
        _image = Path.Combine(_root, "fs.img");
        MountPoint = Path.Combine(_root, "mnt");
        Directory.CreateDirectory(MountPoint);
        using (var file = new FileStream(_image, FileMode.CreateNew)) file.SetLength(bytes);
        Run("mkfs.ext4", "-q", "-F", "-m", "0", _image);
        // -o loop: mount attaches (and at unmount detaches) the loop device itself.
        Run("mount", "-o", "loop", _image, MountPoint);
        // The sandbox's mapped root must traverse every directory above its root filesystem.
        File.SetUnixFileMode(_root, (UnixFileMode)0b111_001_001);
        File.SetUnixFileMode(MountPoint, (UnixFileMode)0b111_001_001);
    }

    public string MountPoint { get; }

    /// <summary>Fills what is left with a file outside the data directory (the host's other use of the disk); returns it.</summary>
    public string Fill()
    {
        var filler = Path.Combine(MountPoint, "filler");
        var chunk = new byte[1 << 16];
        using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            while (true) stream.Write(chunk);
        }
        catch (IOException)
        {
        }

        // Squeeze out the last blocks in small writes.
        try
        {
            while (true) stream.Write(chunk, 0, 512);
        }
        catch (IOException)
        {
        }

        return filler;
    }

    public long Free => new DriveInfo(MountPoint).AvailableFreeSpace;

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {error}");
    }

    public void Dispose()
    {
        if (HostProbe.MountsUnder(MountPoint).Count > 1) return; // a sandbox still mounted inside: leave it for the failure to show
        Run("umount", MountPoint);
        Directory.Delete(_root, recursive: true);
    }
}
