using System.Diagnostics;
using Airlock.Backends.Runc.Tests.Fixtures;
using Airlock.Oci;
using Xunit.Abstractions;

namespace Airlock.Backends.Runc.Tests;

/// <summary>
/// Cold create -> first exec output, beside a raw <c>runc run</c> of an equivalent bundle (same spec, the
/// shifted rootfs used directly: no quota disk, no overlay) measured in the same run. Target: at most 1.5x,
/// enforced when AIRLOCK_ASSERT_LATENCY=1.
/// </summary>
[Collection(RuncIntegrationCollection.Name)]
public sealed class CreateLatencyTests(ITestOutputHelper output)
{
    private const int Rounds = 5;

    [IntegrationFact]
    public async Task ColdCreateToFirstExecOutput_IsWithinOneAndAHalfTimesARawRuncRun()
    {
        await using (await TestSandbox.CreateAsync())
        {
            // Warm-up: JIT, page cache of the rootfs and runc binary.
        }

        var raw = new List<double>();
        var ours = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            raw.Add(await RawRuncRunAsync());
            var clock = Stopwatch.StartNew();
            await using var sandbox = await TestSandbox.CreateAsync();
            var (code, text) = await sandbox.ExecAsync("echo hi");
            ours.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal((0, "hi\n"), (code, text));
            output.WriteLine($"round {round}: raw {raw[^1]:0} ms, airlock {ours[^1]:0} ms; steps {string.Join(", ", sandbox.Steps.Select(s => $"{s.Step} {s.Elapsed.TotalMilliseconds:0.0}"))}");
        }

        var rawMedian = raw.Order().ElementAt(Rounds / 2);
        var oursMedian = ours.Order().ElementAt(Rounds / 2);
        output.WriteLine($"median: raw runc run + agent + first exec {rawMedian:0} ms; airlock create + first exec {oursMedian:0} ms; ratio {oursMedian / rawMedian:0.00}");
        // Timing asserts flake on a loaded 2-core box (other builds); the bench harness sets this to enforce the target.
        if (Environment.GetEnvironmentVariable("AIRLOCK_ASSERT_LATENCY") == "1")
        {
            Assert.True(oursMedian <= rawMedian * 1.5, $"airlock {oursMedian:0} ms vs raw {rawMedian:0} ms");
        }
    }

    /// <summary>The same spec (agent included) on the plain rootfs, runc run -d, wait for the socket, one exec.</summary>
    private async Task<double> RawRuncRunAsync()
    {
        var paths = TestHost.NewDataDirectory();
        var id = TestHost.NewId();
        var layout = SandboxLayout.For(paths, id);
        var backend = new RuncBackend(paths);
        var bundle = Path.Combine(paths.DataDirectory, "raw");
        var socketDir = Path.Combine(paths.DataDirectory, "run");
        Directory.CreateDirectory(bundle);
        Directory.CreateDirectory(socketDir);
        await HostCommand.CheckAsync("chown", ["100000000:100000000", socketDir]);
        var spec = backend.BuildSpec(TestSandbox.NewRequest(id), layout) with { Root = new Oci.Spec.RootSpec(TestHost.Rootfs) };
        spec = SpecOptions.WithAgentSocketDirectory(socketDir)(spec);
        spec = spec with { Root = spec.Root with { Readonly = true } };
        await OciJson.WriteConfigAsync(bundle, spec);
        var container = "airlock-raw-" + id;
        try
        {
            var clock = Stopwatch.StartNew();
            await new OciRuntime().RunDetachedAsync(container, bundle, Path.Combine(bundle, "pid"), Path.Combine(bundle, "log"));
            var socketPath = Path.Combine(socketDir, "agent.sock");
            while (true)
            {
                try
                {
                    using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                    await probe.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
                    break;
                }
                catch (System.Net.Sockets.SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(15))
                {
                    await Task.Delay(2);
                }
            }

            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
            await using var stream = new System.Net.Sockets.NetworkStream(socket);
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes("10 " + Convert.ToBase64String("echo hi"u8) + "\n"));
            var reply = await new StreamReader(stream).ReadToEndAsync();
            Assert.StartsWith("hi\n", reply);
            return clock.Elapsed.TotalMilliseconds;
        }
        finally
        {
            await new OciRuntime().DeleteAsync(container);
            Directory.Delete(paths.DataDirectory, recursive: true);
        }
    }
}
