using System.Globalization;

namespace Airlock.Bench;

internal static class ResultTable
{
    public static void Print(IReadOnlyList<ResultRow> rows)
    {
        var header = $"{"measure",-44} {"p50 ms",9} {"baseline",-34} {"p50 ms",9} {"ratio",7}  {"target",-22} ok";
        Console.WriteLine(header);
        Console.WriteLine(new string('-', header.Length));
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name,-44} {r.MedianMs,9:F2} {r.Baseline,-34} {r.BaselineMedianMs,9:F2} {r.Ratio,7:F2}x  {r.Target,-22} {(r.MeetsTarget ? "yes" : "NO")}"));
        }
    }
}
