using Airlock.Bench;

// End-to-end benchmark of every isolation tier this host runs. Every figure is printed beside a baseline
// measured in the same run on the same machine, and judged by the ratio, never by absolute time.
// The image cache of the default data directory is reused when it exists (AIRLOCK_IMAGES overrides).
var iterations = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 10;
if (Environment.GetEnvironmentVariable("AIRLOCK_IMAGES") is not { Length: > 0 } && Directory.Exists("/var/lib/airlock/images/python/rootfs"))
{
    Environment.SetEnvironmentVariable("AIRLOCK_IMAGES", "/var/lib/airlock/images");
}

var data = Directory.CreateTempSubdirectory("airlock-bench-").FullName;
try
{
    var rows = await EndToEndBenchmark.RunAsync(data, iterations);
    ResultTable.Print(rows);
    return rows.All(r => r.MeetsTarget) ? 0 : 1;
}
finally
{
    Directory.Delete(data, recursive: true);
    BaselineBundle.RemoveCgroupParents();
}
