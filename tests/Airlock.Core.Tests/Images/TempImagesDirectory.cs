using System.Diagnostics;

namespace Airlock.Core.Tests.Images;

/// <summary>A throw-away data directory with its own image store location.</summary>
internal sealed class TempImagesDirectory : IDisposable
{
    public TempImagesDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "airlock-images-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Root);
        Paths = new AirlockPaths(Root) { Images = Path.Combine(Root, "images") };
    }

    public string Root { get; }

    public AirlockPaths Paths { get; }

    public IEnumerable<string> Entries => Directory.Exists(Paths.Images)
        ? Directory.EnumerateFileSystemEntries(Paths.Images).Select(Path.GetFileName).OfType<string>()
        : [];

    /// <summary>uid, gid and octal mode of a path, not following a final symbolic link (stat's default).</summary>
    public static (uint Uid, uint Gid, string Mode) Stat(string path)
    {
        var start = new ProcessStartInfo("stat") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-c", "%u %g %a", "--", path }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd().Trim().Split(' ');
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"stat {path}: {process.StandardError.ReadToEnd()}");
        return (uint.Parse(output[0]), uint.Parse(output[1]), output[2]);
    }

    public void Dispose()
    {
        // Images hold setuid binaries; never leave one in /tmp.
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
