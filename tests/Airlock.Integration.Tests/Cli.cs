using System.Diagnostics;

namespace Airlock.Integration.Tests;

/// <summary>Runs the real <c>airlock</c> CLI (the build next to this test assembly) as a child process, as a user would.</summary>
internal static class Cli
{
    public static string AirlockDll => Path.Combine(AppContext.BaseDirectory, "airlock.dll");

    public static ProcessStartInfo StartInfo(string dataDir, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(AirlockDll);
        psi.ArgumentList.Add("--data");
        psi.ArgumentList.Add(dataDir);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("AIRLOCK_HOST");
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return psi;
    }

    public static async Task<CliResult> RunAsync(string dataDir, params string[] args) => await RunAsync(dataDir, args, null, TimeSpan.FromMinutes(5));

    public static async Task<CliResult> RunAsync(string dataDir, IEnumerable<string> args, IDictionary<string, string>? env, TimeSpan limit, string? stdin = null)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(StartInfo(dataDir, args, env))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"airlock {string.Join(' ', args)} did not finish within {limit}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr, watch.Elapsed);
    }
}
