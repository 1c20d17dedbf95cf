using Airlock.Bench;

// End-to-end benchmark of the container tier. Every figure is printed beside a baseline measured in the
// same run on the same machine, and judged by the ratio, never by absolute time.
var iterations = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 10;
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
    RawRunc.RemoveCgroupParents();
}
