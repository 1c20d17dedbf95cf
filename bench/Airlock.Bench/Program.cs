using Airlock.Bench;

// End-to-end benchmark of every isolation tier this host runs. Every figure is printed beside a baseline
// measured in the same run on the same machine, and judged by the ratio, never by absolute time.
// The image cache of the default data directory is reused when it exists (AIRLOCK_IMAGES overrides).
//   dotnet run -c Release --project bench/Airlock.Bench -- [ITERATIONS]       every tier, the audit trail and the egress gateway
//   dotnet run -c Release --project bench/Airlock.Bench -- ITERATIONS TIER... these tiers' rows only (container, gvisor, microvm)
//   dotnet run -c Release --project bench/Airlock.Bench -- audit [EVENTS] [PRODUCERS]   audit append throughput only (seconds, no root)
//   dotnet run -c Release --project bench/Airlock.Bench -- egress             egress gateway vs direct loopback only (seconds, no root)
if (args.Length > 0 && args[0] == "egress")
{
    var egressRows = await EgressBenchmark.RunAsync();
    ResultTable.Print(egressRows);
    return egressRows.All(r => r.MeetsTarget) ? 0 : 1;
}

var auditOnly = args.Length > 0 && args[0] == "audit";
var count = args.Length > (auditOnly ? 1 : 0) && int.TryParse(args[auditOnly ? 1 : 0], out var n) ? n : auditOnly ? 200_000 : 10;
var producers = auditOnly && args.Length > 2 && int.TryParse(args[2], out var p) ? p : 256;
var tiers = auditOnly ? [] : args.Skip(1).ToHashSet(StringComparer.Ordinal);
if (Environment.GetEnvironmentVariable("AIRLOCK_IMAGES") is not { Length: > 0 } && Directory.Exists("/var/lib/airlock/images/python/rootfs"))
{
    Environment.SetEnvironmentVariable("AIRLOCK_IMAGES", "/var/lib/airlock/images");
}

var data = Directory.CreateTempSubdirectory("airlock-bench-").FullName;
try
{
    var rows = auditOnly
        ? await AuditThroughputBenchmark.RunAsync(data, count, producers)
        : tiers.Count > 0
            ? await EndToEndBenchmark.RunAsync(data, count, tiers)
            : [.. await EndToEndBenchmark.RunAsync(data, count, null), .. await AuditThroughputBenchmark.RunAsync(data, 200_000, producers), .. await EgressBenchmark.RunAsync()];
    ResultTable.Print(rows);
    return rows.All(r => r.MeetsTarget) ? 0 : 1;
}
finally
{
    Directory.Delete(data, recursive: true);
    if (!auditOnly) BaselineBundle.RemoveCgroupParents();
}
