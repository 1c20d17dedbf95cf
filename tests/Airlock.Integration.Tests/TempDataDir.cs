namespace Airlock.Integration.Tests;

/// <summary>A data directory of the test's own; the image cache is shared through AIRLOCK_IMAGES (set by scripts/test.sh).</summary>
internal sealed class TempDataDir : IDisposable
{
    public TempDataDir()
    {
        StaleTestRuns.SweepOnce();
        Path = Directory.CreateTempSubdirectory(StaleTestRuns.Prefix).FullName;
        File.WriteAllText(System.IO.Path.Combine(Path, StaleTestRuns.OwnerFile), Environment.ProcessId.ToString());
    }

    public string Path { get; }

    public override string ToString() => Path;

    public void Dispose()
    {
        // Sandboxes must already be gone (tests assert it); anything still mounted here is a test failure, not something to force away.
        try
        {
            if (HostProbe.MountsUnder(Path).Count == 0) Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
