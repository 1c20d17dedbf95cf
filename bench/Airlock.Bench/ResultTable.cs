using System.Globalization;

namespace Airlock.Bench;

internal static class ResultTable
{
    public static void Print(IReadOnlyList<ResultRow> rows)
    {
        var header = $"{"measure",-44} {"value",14} {"baseline",-38} {"value",14} {"ratio",7}  {"target",-22} ok";
        Console.WriteLine(header);
        Console.WriteLine(new string('-', header.Length));
        foreach (var r in rows)
        {
            var format = r.Unit == "ms" ? "F2" : "F0";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name,-44} {r.MedianMs.ToString(format, CultureInfo.InvariantCulture) + " " + r.Unit,14} {r.Baseline,-38} {r.BaselineMedianMs.ToString(format, CultureInfo.InvariantCulture) + " " + r.Unit,14} {r.Ratio,7:F2}x  {r.Target,-22} {(r.MeetsTarget ? "yes" : "NO")}"));
        }
    }
}
