using System.Diagnostics;

namespace Airlock.RedTeam.Host;

/// <summary>
/// Secrets the battery plants on the host before any attack: files in /tmp, /var/tmp, /root and the daemon's
/// data directory, an environment variable of the process that holds the engine (inherited by runc, runsc and
/// QEMU), and a host process whose command line carries a secret. Each secret is a fresh random value that
/// exists only on the host, so an attack's output containing one is proof it reached the host; each file's
/// hash is checked unchanged after every case.
/// </summary>
internal sealed class HostMarkers : IDisposable
{
    public const string EnvironmentVariable = "AIRLOCK_REDTEAM_CANARY";

    private readonly List<string> _directories = [];
    private readonly Dictionary<string, string> _hashes = [];
    private Process? _canaryProcess;

    private HostMarkers(string secret)
    {
        Secret = secret;
    }

    /// <summary>The value written into every marker file (and only there).</summary>
    public string Secret { get; }

    /// <summary>The value of <see cref="EnvironmentVariable"/> in the engine's process.</summary>
    public string EnvironmentSecret { get; } = "envsecret-" + Guid.NewGuid().ToString("N");

    /// <summary>The secret on the canary process's command line.</summary>
    public string ProcessSecret { get; } = "procsecret-" + Guid.NewGuid().ToString("N");

    public int? CanaryPid => _canaryProcess?.Id;

    public IReadOnlyCollection<string> Files => _hashes.Keys;

    public static HostMarkers Plant(string dataDirectory)
    {
        var markers = new HostMarkers("hostsecret-" + Guid.NewGuid().ToString("N"));
        foreach (var parent in new[] { "/tmp", "/var/tmp", "/root", dataDirectory })
        {
            if (!Directory.Exists(parent)) continue;
            var directory = Path.Combine(parent, "airlock-redteam-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(directory);
            markers._directories.Add(directory);
            var file = Path.Combine(directory, "secret.txt");
            File.WriteAllText(file, markers.Secret + "\n");
            markers._hashes[file] = HostFiles.Sha256(file)!;
        }

        Environment.SetEnvironmentVariable(EnvironmentVariable, markers.EnvironmentSecret);
        var psi = new ProcessStartInfo("bash") { RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec -a airlock-redteam-canary-{markers.ProcessSecret} sleep 3600");
        markers._canaryProcess = Process.Start(psi);
        return markers;
    }

    /// <summary>Marker files whose content changed or that vanished, and stray files created beside them.</summary>
    public IReadOnlyList<string> Tampered()
    {
        var findings = new List<string>();
        foreach (var (file, hash) in _hashes)
        {
            var now = HostFiles.Sha256(file);
            if (now != hash) findings.Add(now is null ? $"host marker {file} is gone" : $"host marker {file} changed (sha256 {now[..12]})");
        }

        foreach (var directory in _directories)
        {
            foreach (var extra in Directory.Exists(directory) ? Directory.GetFileSystemEntries(directory).Where(f => !_hashes.ContainsKey(f)) : [])
            {
                findings.Add($"a new file appeared beside the host markers: {extra}");
            }
        }

        return findings;
    }

    /// <summary>Which host secret (if any) <paramref name="text"/> contains.</summary>
    public IReadOnlyList<string> LeakedIn(string text)
    {
        var leaks = new List<string>();
        if (text.Contains(Secret, StringComparison.Ordinal)) leaks.Add("the content of a host marker file");
        if (text.Contains(EnvironmentSecret, StringComparison.Ordinal)) leaks.Add($"the host process environment ({EnvironmentVariable})");
        if (text.Contains(ProcessSecret, StringComparison.Ordinal)) leaks.Add("a host process's command line");
        return leaks;
    }

    public void Dispose()
    {
        if (_canaryProcess is { } process)
        {
            try
            {
                if (!process.HasExited) process.Kill();
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        Environment.SetEnvironmentVariable(EnvironmentVariable, null);
        foreach (var directory in _directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
