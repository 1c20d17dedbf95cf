using System.Security.Cryptography;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>
/// Proof that a run touched no host file outside its data directory: a canary directory of the test's own (files, a
/// symlink the fuzzer aims at), plus fingerprints of host paths an escape would write to. Compared before and after;
/// the host's busy directories (other tests run beside this one) are searched only for the fuzzer's marker.
/// </summary>
internal sealed class HostCanary : IDisposable
{
    private static readonly string[] Watched = ["/etc/passwd", "/etc/shadow", "/etc/hosts", "/etc/hostname", "/root/.bashrc", "/root/.profile"];
    private readonly Dictionary<string, string> _before;

    public HostCanary()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("airlock-canary-").FullName;
        File.WriteAllText(Path.Combine(Directory, "secret.txt"), "host secret");
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "sub"));
        File.WriteAllText(Path.Combine(Directory, "sub", "inner.txt"), "inner");
        _before = Fingerprint();
    }

    /// <summary>A host directory the fuzzer sends paths into (absolute, through .., through symlinks made inside).</summary>
    public string Directory { get; }

    /// <summary>What changed since the canary was made: empty when the host is untouched.</summary>
    public IReadOnlyList<string> Changes()
    {
        var after = Fingerprint();
        var changes = new List<string>();
        foreach (var (path, hash) in _before)
        {
            if (!after.TryGetValue(path, out var now)) changes.Add("removed " + path);
            else if (now != hash) changes.Add("modified " + path);
        }

        changes.AddRange(after.Keys.Where(p => !_before.ContainsKey(p)).Select(p => "created " + p));
        foreach (var dir in new[] { "/", "/tmp", "/etc", "/root", "/var/tmp" })
        {
            changes.AddRange(System.IO.Directory.EnumerateFileSystemEntries(dir)
                .Where(e => e.Contains(FuzzValues.Marker, StringComparison.Ordinal))
                .Select(e => "marker file " + e));
        }

        return changes;
    }

    private Dictionary<string, string> Fingerprint()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in System.IO.Directory.EnumerateFileSystemEntries(Directory, "*", SearchOption.AllDirectories).Concat(Watched))
        {
            var info = new FileInfo(entry);
            if (!info.Exists && !System.IO.Directory.Exists(entry)) continue;
            var content = info.Exists ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry))) : "dir";
            map[entry] = $"{content}:{info.UnixFileMode}:{info.LastWriteTimeUtc.Ticks}";
        }

        return map;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
