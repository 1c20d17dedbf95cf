using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Airlock.Integration.Tests;

/// <summary>A real <c>airlock serve</c> child process on a free loopback port, which a test may kill -9 and restart.</summary>
internal sealed class DaemonProcess : IAsyncDisposable
{
    private Process? _process;

    /// <summary>The daemon's last stderr lines (its log), kept for a failing test's message.</summary>
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();

    private readonly IDictionary<string, string>? _environment;

    public DaemonProcess(string dataDir, IDictionary<string, string>? environment = null)
    {
        DataDir = dataDir;
        _environment = environment;
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public string DataDir { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    public string Token => File.ReadAllText(Path.Combine(DataDir, "admin.token")).Trim();

    public int Pid => _process?.Id ?? throw new InvalidOperationException("not started");

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>The daemon's most recent log lines (stderr), oldest first.</summary>
    public string RecentLog => string.Join('\n', _log);

    public async Task StartAsync()
    {
        var psi = Cli.StartInfo(DataDir, ["serve", "--listen", $"127.0.0.1:{Port}"], _environment);
        _process = Process.Start(psi)!;
        _process.StandardInput.Close();
        _ = _process.StandardOutput.ReadToEndAsync();
        var stderr = KeepLogAsync(_process.StandardError);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                stderr.Wait(TimeSpan.FromSeconds(5));
                var log = RecentLog;
                throw new InvalidOperationException($"airlock serve exited with {_process.ExitCode}: {log[Math.Max(0, log.Length - 2000)..]}");
            }

            try
            {
                var response = await http.GetAsync(new Uri(Url, "/health"));
                if (response.IsSuccessStatusCode && File.Exists(Path.Combine(DataDir, "admin.token"))) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("airlock serve did not answer /health within 60 s");
    }

    private async Task KeepLogAsync(StreamReader stderr)
    {
        while (await stderr.ReadLineAsync() is { } line)
        {
            _log.Enqueue(line);
            while (_log.Count > 200) _log.TryDequeue(out _);
        }
    }

    /// <summary>SIGKILL, as a crash or an OOM kill of the daemon would deliver it: no cleanup runs.</summary>
    public async Task KillHardAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
