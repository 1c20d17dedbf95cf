using System.Globalization;
using System.Net;

namespace Airlock.Core.Network;

/// <summary>
/// Host-wide allocation of sandbox subnets. Addresses and interface names are global to the host, while data
/// directories are not (the daemon, an embedded CLI and every test run may each have their own), so leases live
/// in one directory under /run (gone at reboot, like the namespaces they describe). A lease is a file created
/// with O_EXCL: two processes can never hold the same index. It records the owning data directory so that an
/// engine sweeps only its own leftovers, plus those of data directories that no longer exist.
/// </summary>
internal static class NetworkLeasePool
{
    /// <summary>10.203.0.0/16 cut into /30s: 16384 sandboxes. A range unlikely to be a LAN's; the host-side routes are /30s, so a clash costs only that slot.</summary>
    public static readonly IPAddress PoolBase = IPAddress.Parse("10.203.0.0");

    public const int Capacity = 16384;

    public static string Directory { get; } = Environment.GetEnvironmentVariable("AIRLOCK_NET_LEASES") is { Length: > 0 } dir ? dir : "/run/airlock/net";

    public static NetworkLease Acquire(string sandboxId, string dataDirectory)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var start = Random.Shared.Next(Capacity);
        for (var n = 0; n < Capacity; n++)
        {
            var index = (start + n) % Capacity;
            var lease = new NetworkLease(index, sandboxId, Path.GetFullPath(dataDirectory));
            try
            {
                using var file = new FileStream(PathOf(index), FileMode.CreateNew, FileAccess.Write, FileShare.None);
                using var writer = new StreamWriter(file);
                writer.Write($"{lease.DataDirectory}\n{sandboxId}\n");
                return lease;
            }
            catch (IOException) when (File.Exists(PathOf(index)))
            {
                // Taken by another sandbox (of any process): try the next slot.
            }
        }

        throw AirlockException.Unavailable($"no free sandbox subnet: all {Capacity} leases in {Directory} are taken");
    }

    public static void Release(NetworkLease lease)
    {
        if (Read(lease.Index) is { } current && current.SandboxId == lease.SandboxId && current.DataDirectory == lease.DataDirectory)
        {
            File.Delete(PathOf(lease.Index));
        }
    }

    public static IReadOnlyList<NetworkLease> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var leases = new List<NetworkLease>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.lease"))
        {
            if (int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && Read(index) is { } lease)
            {
                leases.Add(lease);
            }
        }

        return leases;
    }

    public static NetworkLease? Find(string sandboxId, string dataDirectory)
    {
        var full = Path.GetFullPath(dataDirectory);
        return List().FirstOrDefault(l => l.SandboxId == sandboxId && l.DataDirectory == full);
    }

    private static NetworkLease? Read(int index)
    {
        try
        {
            var lines = File.ReadAllLines(PathOf(index));
            // A lease being written has fewer lines; it is not ours to judge yet.
            return lines.Length >= 2 ? new NetworkLease(index, lines[1], lines[0]) : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private static string PathOf(int index) => Path.Combine(Directory, index.ToString(CultureInfo.InvariantCulture) + ".lease");
}
