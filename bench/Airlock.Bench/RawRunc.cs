using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Airlock.Bench;

/// <summary>
/// The baseline for cold start: `runc run` of a bundle with the same hardened config.json Airlock generates
/// (user namespace, seccomp, cgroups, masked paths), on the image's root filesystem read-only, running
/// `echo` directly — no copy-on-write layer, no disk quota, no guest agent.
/// </summary>
internal sealed class RawRunc(string bundle)
{
    public static RawRunc FromSandboxBundle(string sandboxConfigJson, string imageRootfs, string directory)
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

        spec["linux"]!["cgroupsPath"] = "/airlock-bench/raw";
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), spec.ToJsonString());
        return new RawRunc(directory);
    }

    /// <summary>runc removes each raw run's cgroup on exit but leaves their shared parent; remove it.</summary>
    public static void RemoveCgroupParents()
    {
        foreach (var root in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
        {
            var parent = Path.Combine(root, "airlock-bench");
            if (Directory.Exists(parent) && !Directory.EnumerateDirectories(parent).Any()) Directory.Delete(parent);
        }
    }

    /// <summary>Milliseconds from starting runc to the first byte of the container's output.</summary>
    public async Task<double> TimeToFirstOutputAsync(int iteration)
    {
        var psi = new ProcessStartInfo("runc", ["run", "--bundle", bundle, $"airlock-bench-raw-{Environment.ProcessId}-{iteration}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var first = new char[1];
        var read = await process.StandardOutput.ReadAsync(first.AsMemory());
        var elapsed = watch.Elapsed.TotalMilliseconds;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (read == 0 || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"raw runc run failed ({process.ExitCode}): {await stderr}");
        }

        return elapsed;
    }
}
