using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>
/// Finds what a data directory left on the host that no live sandbox owns: mounts, loop devices, runc containers,
/// cgroups, processes, network namespaces and links, sandbox directories and disk images. Each finding is one line
/// naming the resource, so a failure reads as a list of orphans.
/// </summary>
internal static class HostLeftovers
{
    /// <summary>Every sandbox id the data directory knows of right now (state DB rows, sandbox directories, runc containers).</summary>
    public static IReadOnlySet<string> KnownIds(string dataDir)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var db = Path.Combine(dataDir, "airlock.db");
        if (File.Exists(db))
        {
            using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT id FROM sandboxes";
            using var reader = command.ExecuteReader();
            while (reader.Read()) ids.Add(reader.GetString(0));
        }

        var sandboxes = Path.Combine(dataDir, "sandboxes");
        if (Directory.Exists(sandboxes)) ids.UnionWith(Directory.GetDirectories(sandboxes).Select(Path.GetFileName)!);
        ids.UnionWith(RuncContainersUnder(dataDir));
        return ids;
    }

    /// <summary>
    /// Host resources of <paramref name="dataDir"/> not owned by a sandbox in <paramref name="live"/> (running or paused),
    /// plus any trace of the <paramref name="gone"/> ids. <paramref name="daemonPid"/> and its children are not orphans.
    /// </summary>
    public static List<string> Find(string dataDir, IReadOnlySet<string> live, IEnumerable<string> gone, int daemonPid)
    {
        var found = new List<string>();
        var sandboxes = Path.Combine(dataDir, "sandboxes") + "/";
        string? OwnerOf(string path) => path.StartsWith(sandboxes, StringComparison.Ordinal) ? path[sandboxes.Length..].Split('/')[0] : null;
        bool Owned(string path) => OwnerOf(path) is { } id && live.Contains(id);

        foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
        {
            var target = line.Split(' ')[4];
            if (target.StartsWith(dataDir, StringComparison.Ordinal) && !Owned(target)) found.Add("mount " + target);
        }

        found.AddRange(HostProbe.LoopDevicesUnder(dataDir).Where(b => !Owned(b)).Select(b => "loop device backed by " + b));
        found.AddRange(RuncContainersUnder(dataDir).Where(id => !live.Contains(id)).Select(id => "runc container airlock-" + id));
        if (Directory.Exists(sandboxes))
        {
            found.AddRange(Directory.GetDirectories(sandboxes).Where(d => !live.Contains(Path.GetFileName(d))).Select(d => "sandbox directory " + d));
        }

        found.AddRange(DiskImages(dataDir, live));
        foreach (var id in gone.Where(id => !live.Contains(id)))
        {
            found.AddRange(HostProbe.CgroupsOf(id).Select(c => "cgroup " + c));
            found.AddRange(ProcessesInCgroupOf(id).Select(p => $"process {p} in cgroup of {id}"));
            found.AddRange(NetworkNames(id).Select(n => $"network {n} of {id}"));
            var runsc = Path.Combine(dataDir, "runsc");
            if (Directory.Exists(runsc)) found.AddRange(Directory.EnumerateFileSystemEntries(runsc, $"*airlock-{id}*").Select(e => "runsc state " + e));
        }

        // runsc's gofer and sandbox name their sandbox's directory on the command line: those of a live sandbox are its own.
        bool OfLiveSandbox(int pid) => Cmdline(pid) is var cmdline && live.Any(id => cmdline.Contains(sandboxes + id + "/", StringComparison.Ordinal));
        // The daemon's family is read after the candidates, so a child it starts between the two reads is still its own.
        var candidates = HostProbe.ProcessesWith(dataDir);
        var daemonFamily = Descendants(daemonPid);
        found.AddRange(candidates.Where(p => !daemonFamily.Contains(p) && !OfLiveSandbox(p)).Select(p => $"process {p} ({Cmdline(p)})"));
        return found;
    }

    /// <summary>
    /// <see cref="Find"/> until it comes back empty or 10 s have passed: processes SIGKILLed by a destroy that has just
    /// returned may take a moment to leave their cgroup. What is still there after that is an orphan.
    /// </summary>
    public static async Task<List<string>> FindSettledAsync(string dataDir, IReadOnlySet<string> live, IEnumerable<string> gone, int daemonPid)
    {
        var ids = gone.ToList();
        var found = Find(dataDir, live, ids, daemonPid);
        for (var attempt = 0; attempt < 10 && found.Count > 0; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            found = Find(dataDir, live, ids, daemonPid);
        }

        return found;
    }

    /// <summary>runc containers (default root) whose bundle lies in this data directory, by sandbox id.</summary>
    public static IReadOnlyList<string> RuncContainersUnder(string dataDir)
    {
        var psi = new ProcessStartInfo("runc", ["list", "--format", "json"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var runc = Process.Start(psi)!;
        var output = runc.StandardOutput.ReadToEnd();
        runc.WaitForExit();
        if (string.IsNullOrWhiteSpace(output) || output.Trim() == "null") return [];
        using var json = System.Text.Json.JsonDocument.Parse(output);
        return json.RootElement.EnumerateArray()
            .Where(c => c.GetProperty("bundle").GetString()!.StartsWith(dataDir, StringComparison.Ordinal) && c.GetProperty("id").GetString()!.StartsWith("airlock-", StringComparison.Ordinal))
            .Select(c => c.GetProperty("id").GetString()!["airlock-".Length..])
            .ToList();
    }

    /// <summary>Disk images no sandbox owns: blank pooled images are the pool's; one being made is its maker's while that process lives.</summary>
    private static IEnumerable<string> DiskImages(string dataDir, IReadOnlySet<string> live)
    {
        foreach (var image in Directory.EnumerateFiles(dataDir, "*.img"))
        {
            yield return "disk image " + image;
        }

        var sandboxes = Path.Combine(dataDir, "sandboxes");
        if (Directory.Exists(sandboxes))
        {
            foreach (var dir in Directory.GetDirectories(sandboxes).Where(d => !live.Contains(Path.GetFileName(d))))
            {
                foreach (var image in Directory.EnumerateFiles(dir, "*.img")) yield return "disk image " + image;
            }
        }

        var pool = Path.Combine(dataDir, "disk-pool");
        if (!Directory.Exists(pool)) yield break;
        foreach (var file in Directory.EnumerateFiles(pool, "*", new EnumerationOptions { AttributesToSkip = 0 }))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith("blank-", StringComparison.Ordinal)) continue;
            if (name.StartsWith(".making-", StringComparison.Ordinal) && int.TryParse(name.Split('-')[1], out var pid) && Directory.Exists($"/proc/{pid}")) continue;
            yield return "disk image " + file;
        }
    }

    private static IEnumerable<int> ProcessesInCgroupOf(string id)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(dir, "cgroup"));
            }
            catch (IOException)
            {
                continue;
            }

            if (text.Contains($"/airlock/{id}", StringComparison.Ordinal) || text.Contains($"/airlock-vmm/{id}", StringComparison.Ordinal)) yield return pid;
        }
    }

    /// <summary>Named network namespaces and links whose name carries the sandbox id (or the 8-character prefix a 15-byte link name can hold).</summary>
    private static IEnumerable<string> NetworkNames(string id)
    {
        var key = id.Length > 8 ? id[..8] : id;
        if (Directory.Exists("/run/netns"))
        {
            foreach (var ns in Directory.GetFiles("/run/netns").Where(n => n.Contains(key, StringComparison.Ordinal))) yield return "namespace " + ns;
        }

        foreach (var link in Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName).Where(n => n!.Contains(key, StringComparison.Ordinal)))
        {
            yield return "link " + link;
        }
    }

    private static HashSet<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
            }
        }

        var family = new HashSet<int> { root };
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, parent) in parents)
            {
                if (family.Contains(parent) && family.Add(pid)) grew = true;
            }
        }
        while (grew);
        return family;
    }

    private static string Cmdline(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
