using System.Diagnostics;

namespace Airlock.Bench;

/// <summary>`runc run` or `runsc run` of a <see cref="BaselineBundle"/> in the foreground: the time to the container's first output byte.</summary>
internal sealed class RawOciRun(string runtime, IReadOnlyList<string> globalFlags, string bundle)
{
    public async Task<double> TimeToFirstOutputAsync(int iteration)
    {
        var psi = new ProcessStartInfo(runtime)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var flag in globalFlags) psi.ArgumentList.Add(flag);
        foreach (var arg in (string[])["run", "--bundle", bundle, $"airlock-bench-raw-{Environment.ProcessId}-{iteration}"]) psi.ArgumentList.Add(arg);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var first = new char[1];
        var read = await process.StandardOutput.ReadAsync(first.AsMemory());
        var elapsed = watch.Elapsed.TotalMilliseconds;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (read == 0 || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"raw {runtime} run failed ({process.ExitCode}): {await stderr}");
        }

        return elapsed;
    }
}
