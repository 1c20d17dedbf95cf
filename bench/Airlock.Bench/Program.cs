using Airlock.Bench;

// End-to-end benchmark of every isolation tier this host runs. Every figure is printed beside a baseline
// measured in the same run on the same machine, and judged by the ratio, never by absolute time.
// The image cache of the default data directory is reused when it exists (AIRLOCK_IMAGES overrides).
//   dotnet run -c Release --project bench/Airlock.Bench -- [ITERATIONS]       every tier, the audit trail and the egress gateway
//                                                                             (20 creates per tier by default)
//   dotnet run -c Release --project bench/Airlock.Bench -- ITERATIONS TIER... these tiers' rows only (container, gvisor, microvm)
//   dotnet run -c Release --project bench/Airlock.Bench -- audit [EVENTS] [PRODUCERS]   audit append throughput only (seconds, no root)
//   dotnet run -c Release --project bench/Airlock.Bench -- egress             egress gateway vs direct loopback only (seconds, no root)
if (args.Length > 0 && args[0] == "egress")
{
    Settle();
    var egressRows = await EgressBenchmark.RunAsync();
    ResultTable.Print(egressRows);
    return egressRows.All(r => r.MeetsTarget) ? 0 : 1;
}

var auditOnly = args.Length > 0 && args[0] == "audit";
var count = args.Length > (auditOnly ? 1 : 0) && int.TryParse(args[auditOnly ? 1 : 0], out var n) ? n : auditOnly ? 200_000 : 20;
var producers = auditOnly && args.Length > 2 && int.TryParse(args[2], out var p) ? p : 256;
var tiers = auditOnly ? [] : args.Skip(1).ToHashSet(StringComparer.Ordinal);
if (Environment.GetEnvironmentVariable("AIRLOCK_IMAGES") is not { Length: > 0 } && Directory.Exists("/var/lib/airlock/images/python/rootfs"))
{
    Environment.SetEnvironmentVariable("AIRLOCK_IMAGES", "/var/lib/airlock/images");
}

var data = Directory.CreateTempSubdirectory("airlock-bench-").FullName;
try
{
    IReadOnlyList<ResultRow> rows;
    if (auditOnly)
    {
        rows = await AuditThroughputBenchmark.RunAsync(data, count, producers);
    }
    else if (tiers.Count > 0)
    {
        rows = await EndToEndBenchmark.RunAsync(data, count, tiers);
    }
    else
    {
        // Each section on a settled machine (see Settle): the gateway's download needs both cores and the memory bandwidth,
        // and it fell to 0.56x direct once, measured while the kernel wrote back what the audit section had just written
        // (~290 MB/s) and the tiers' disk pool refilled; so it runs first.
        Settle();
        var egress = await EgressBenchmark.RunAsync();
        Settle();
        var tierRows = await EndToEndBenchmark.RunAsync(data, count, null);
        Settle();
        var audit = await AuditThroughputBenchmark.RunAsync(data, 200_000, producers);
        rows = [.. tierRows, .. audit, .. egress];
    }

    ResultTable.Print(rows);
    return rows.All(r => r.MeetsTarget) ? 0 : 1;
}
finally
{
    Directory.Delete(data, recursive: true);
    if (!auditOnly) BaselineBundle.RemoveCgroupParents();
}

// Dirty pages written back now, not during the next section's measurement; then up to 30 s for the CPUs to go quiet:
// `dotnet run` starts the bench while the build's own processes still run (the gateway's download, first after it, once
// measured 0.58x with the direct path at ~1.1 of 2 CPUs), and the tiers' disk pool refills in the background.
static void Settle()
{
    using (var sync = System.Diagnostics.Process.Start("sync")!)
    {
        sync.WaitForExit();
    }

    var waited = System.Diagnostics.Stopwatch.StartNew();
    var busy = 1.0;
    while (waited.Elapsed < TimeSpan.FromSeconds(30) && (busy = BusyFraction(TimeSpan.FromSeconds(1))) > 0.1)
    {
    }

    if (waited.Elapsed > TimeSpan.FromSeconds(2))
    {
        Console.Error.WriteLine($"bench: waited {waited.Elapsed.TotalSeconds:F0} s for the machine to go quiet; {busy:P0} of its CPU time still busy");
    }
}

// The share of all CPUs' time spent outside idle and iowait over the next interval (/proc/stat's first line).
static double BusyFraction(TimeSpan interval)
{
    static (long Busy, long Total) Read()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum();
        return (total - fields[3] - fields[4], total);
    }

    var before = Read();
    Thread.Sleep(interval);
    var after = Read();
    var total = after.Total - before.Total;
    return total > 0 ? (double)(after.Busy - before.Busy) / total : 0;
}
