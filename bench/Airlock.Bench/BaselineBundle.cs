using System.Text.Json.Nodes;

namespace Airlock.Bench;

/// <summary>
/// The OCI baselines' bundle: a sandbox's own hardened config.json (user namespace, cgroups, masked paths and,
/// for runc, seccomp), on the image's root filesystem read-only, running <c>echo</c> directly: no copy-on-write
/// layer, no disk quota, no guest agent.
/// </summary>
internal static class BaselineBundle
{
    public static string Write(string sandboxConfigJson, string imageRootfs, string directory, string cgroupsPath)
    {
        var spec = JsonNode.Parse(File.ReadAllText(sandboxConfigJson))!.AsObject();
        spec["root"] = new JsonObject { ["path"] = imageRootfs, ["readonly"] = true };
        spec["process"]!["args"] = new JsonArray("/bin/echo", "hi");
        spec["process"]!["cwd"] = "/";
        var mounts = spec["mounts"]!.AsArray();
        foreach (var mount in mounts.Where(m => m!["destination"]!.GetValue<string>() is "/.airlock/agent" or "/run/airlock").ToList())
        {
            mounts.Remove(mount);
        }

        spec["linux"]!["cgroupsPath"] = cgroupsPath;
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), spec.ToJsonString());
        return directory;
    }

    /// <summary>The runtimes remove each raw run's cgroup on exit but leave their shared parent; remove it.</summary>
    public static void RemoveCgroupParents()
    {
        foreach (var root in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
        {
            var parent = Path.Combine(root, "airlock-bench");
            if (Directory.Exists(parent) && !Directory.EnumerateDirectories(parent).Any()) Directory.Delete(parent);
        }
    }
}
