using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Airlock.RedTeam.Host.Internet;

namespace Airlock.Integration.Tests.Egress;

/// <summary>
/// A test's own "internet": network namespace <c>airlock-test-inet-{rand}</c> joined to the host by a veth, with
/// 198.18.R.2 ("pkgs"), 198.18.R.3 ("other"), 198.18.R.4 ("api") and the metadata address 169.254.169.254 on its
/// side (the host routes the metadata address to this namespace only while the test runs), and
/// <c>test_internet.py</c> serving HTTP, HTTPS (a CA of the test's own), raw TCP and UDP there. Nothing is ever
/// sent anywhere else. Everything is removed on dispose, the listener process killed by its pid.
/// </summary>
internal sealed class TestInternet : IAsyncDisposable
{
    public const string Metadata = "169.254.169.254";

    private readonly Process _listener;

    private readonly IDisposable _routeLock;

    private TestInternet(string suffix, int subnet, string directory, Process listener, IDisposable routeLock)
    {
        _routeLock = routeLock;
        Namespace = "airlock-test-inet-" + suffix;
        HostInterface = "ati" + suffix;
        Subnet = subnet;
        Directory = directory;
        _listener = listener;
    }

    public string Namespace { get; }

    public string HostInterface { get; }

    public int Subnet { get; }

    public string Directory { get; }

    public string Pkgs => $"198.18.{Subnet}.2";

    public string Other => $"198.18.{Subnet}.3";

    public string Api => $"198.18.{Subnet}.4";

    /// <summary>The host side of the internet's veth: a host address that no sandbox may reach.</summary>
    public string HostAddress => $"198.18.{Subnet}.1";

    /// <summary>PEM of the test CA, for the gateway's upstream trust.</summary>
    public string CaPath => Path.Combine(Directory, "ca.pem");

    /// <summary>For <c>AIRLOCK_TEST_EGRESS_HOSTS</c>.</summary>
    public string HostsVariable => $"pkgs.test={Pkgs},other.test={Other},api.test={Api},files.pkgs.test={Pkgs}";

    public Dictionary<string, string> GatewayEnvironment => new()
    {
        ["AIRLOCK_TEST_EGRESS_HOSTS"] = HostsVariable,
        ["AIRLOCK_TEST_EGRESS_TRUST"] = CaPath,
    };

    public static async Task<TestInternet> StartAsync()
    {
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var subnet = await BatteryInternet.FreeSubnetAsync();
        var directory = System.IO.Directory.CreateTempSubdirectory("airlock-inet-").FullName;
        BatteryCertificates.Write(directory, subnet);
        var ns = "airlock-test-inet-" + suffix;
        var hostIf = "ati" + suffix;
        // The host has one route to the metadata address; another test internet (a parallel test assembly, the red-team
        // battery) waits for it rather than failing on "File exists" or leaving the address without its safety route.
        var routeLock = await MetadataRouteLock.AcquireAsync(TimeSpan.FromMinutes(10))
            ?? throw new InvalidOperationException($"another test internet held {MetadataRouteLock.Path} for 10 minutes");
        await InternetCommand.RunAsync("ip", ["netns", "add", ns]);
        try
        {
            await InternetCommand.RunAsync("ip", ["-batch", "-"],
                $"link add {hostIf} type veth peer name atp{suffix} netns {ns}\n" +
                $"addr add 198.18.{subnet}.1/24 dev {hostIf}\n" +
                $"link set {hostIf} up\n" +
                $"route add {Metadata}/32 via 198.18.{subnet}.2 dev {hostIf}\n");
            await InternetCommand.RunAsync("ip", ["-n", ns, "-batch", "-"],
                $"link set atp{suffix} name eth0\n" +
                $"addr add 198.18.{subnet}.2/24 dev eth0\naddr add 198.18.{subnet}.3/24 dev eth0\naddr add 198.18.{subnet}.4/24 dev eth0\n" +
                $"addr add {Metadata}/32 dev eth0\n" +
                "link set eth0 up\nlink set lo up\n" +
                $"route add default via 198.18.{subnet}.1\n");
            // Counts every ICMP packet that reaches the internet, so a test can prove none did.
            await InternetCommand.RunAsync("ip", ["netns", "exec", ns, "nft", "-f", "-"],
                "table inet probe {\n counter pings { }\n chain input {\n  type filter hook input priority 0; policy accept;\n  ip protocol icmp counter name \"pings\"\n }\n}\n");
        }
        catch
        {
            await InternetCommand.TryAsync("ip", ["route", "delete", $"{Metadata}/32", "via", $"198.18.{subnet}.2"]);
            await InternetCommand.RunAsync("ip", ["netns", "delete", ns]);
            await InternetCommand.TryAsync("ip", ["link", "delete", hostIf]);
            routeLock.Dispose();
            throw;
        }

        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "netns", "exec", ns, "/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "Egress", "test_internet.py"), directory, Path.Combine(directory, "server.pem"), Path.Combine(directory, "server.key") })
        {
            start.ArgumentList.Add(a);
        }

        var listener = Process.Start(start)!;
        var internet = new TestInternet(suffix, subnet, directory, listener, routeLock);
        var watch = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(directory, "ready")))
        {
            if (listener.HasExited || watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                var error = listener.HasExited ? await listener.StandardError.ReadToEndAsync() : "timeout";
                await internet.DisposeAsync();
                throw new InvalidOperationException($"test internet did not start: {error}");
            }

            await Task.Delay(50);
        }

        return internet;
    }

    public IReadOnlyList<JsonElement> Log(string name)
    {
        var path = Path.Combine(Directory, name);
        if (!File.Exists(path)) return [];
        return [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    public async Task<long> IcmpPacketsAsync()
    {
        var output = await InternetCommand.RunAsync("ip", ["netns", "exec", Namespace, "nft", "list", "counter", "inet", "probe", "pings"]);
        var at = output.IndexOf("packets ", StringComparison.Ordinal);
        return long.Parse(output[(at + 8)..].Split(' ')[0], CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_listener.HasExited) _listener.Kill(entireProcessTree: true);
            await _listener.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }

        _listener.Dispose();
        await InternetCommand.TryAsync("ip", ["route", "delete", $"{Metadata}/32", "via", $"198.18.{Subnet}.2"]);
        await InternetCommand.TryAsync("ip", ["netns", "delete", Namespace]);
        await InternetCommand.TryAsync("ip", ["link", "delete", HostInterface]);
        _routeLock.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
