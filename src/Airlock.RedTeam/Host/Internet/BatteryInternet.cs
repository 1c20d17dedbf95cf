using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Airlock.Core.Network;

namespace Airlock.RedTeam.Host.Internet;

/// <summary>
/// The battery's own "internet", the only place network cases aim at: network namespace
/// <c>airlock-rt-inet-{rand}</c> joined to the host by a veth, holding 198.18.R.2 (<c>pkgs.test</c>, the allowed
/// host), .3 (<c>other.test</c>, denied), .4 (<c>api.test</c>, a secret's host), an IPv6 address and the metadata
/// address 169.254.169.254 (routed from the host to this namespace only while the battery runs, and only when no
/// route for it exists already), with <c>battery_internet.py</c> logging everything that arrives. A counter table in
/// the namespace counts packets whose source is a sandbox address (10.203.0.0/16: nothing of a sandbox may be routed
/// here, only the gateway's own connections from the host), ICMP echo requests and IPv6 traffic. All of it is removed
/// on dispose; the listener is killed by its pid.
/// </summary>
internal sealed class BatteryInternet : IAsyncDisposable
{
    public const string Metadata = "169.254.169.254";

    private IDisposable? _routeLock;

    private readonly Process _listener;
    private bool _metadataRouted;

    private BatteryInternet(string suffix, int subnet, string directory, Process listener)
    {
        Namespace = "airlock-rt-inet-" + suffix;
        HostInterface = "art" + suffix;
        Subnet = subnet;
        Directory = directory;
        _listener = listener;
    }

    public string Namespace { get; }

    public string HostInterface { get; }

    public int Subnet { get; }

    public string Directory { get; }

    public string HostAddress => $"198.18.{Subnet}.1";

    public string Pkgs => $"198.18.{Subnet}.2";

    public string Other => $"198.18.{Subnet}.3";

    public string Api => $"198.18.{Subnet}.4";

    /// <summary>The internet's IPv6 address, null when the host has IPv6 off.</summary>
    public string? Ipv6 { get; private set; }

    /// <summary>Why the metadata address is not routed here (another route for it exists), or null when it is.</summary>
    public string? MetadataUnavailable { get; private set; }

    public string CaPath => Path.Combine(Directory, "ca.pem");

    public string CaPem => File.ReadAllText(CaPath);

    /// <summary>What the battery's engine gives its gateways: the .test names point here, the battery CA is trusted.</summary>
    public EgressTestWiring Wiring => new()
    {
        StaticHosts = new Dictionary<string, IReadOnlyList<string>>
        {
            ["pkgs.test"] = [Pkgs],
            ["other.test"] = [Other],
            ["api.test"] = [Api],
        },
        UpstreamTrustPath = CaPath,
    };

    public static async Task<BatteryInternet> StartAsync()
    {
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var subnet = await FreeSubnetAsync();
        var directory = System.IO.Directory.CreateTempSubdirectory("airlock-redteam-inet-").FullName;
        BatteryCertificates.Write(directory, subnet);
        var script = Path.Combine(directory, "battery_internet.py");
        await using (var resource = typeof(BatteryInternet).Assembly.GetManifestResourceStream("battery_internet.py")!)
        await using (var file = File.Create(script))
        {
            await resource.CopyToAsync(file);
        }

        var ns = "airlock-rt-inet-" + suffix;
        var hostIf = "art" + suffix;
        await InternetCommand.RunAsync("ip", ["netns", "add", ns]);
        Process listener;
        try
        {
            await InternetCommand.RunAsync("ip", ["-batch", "-"],
                $"link add {hostIf} type veth peer name arp{suffix} netns {ns}\n" +
                $"addr add 198.18.{subnet}.1/24 dev {hostIf}\n" +
                $"link set {hostIf} up\n");
            await InternetCommand.RunAsync("ip", ["-n", ns, "-batch", "-"],
                $"link set arp{suffix} name eth0\n" +
                $"addr add 198.18.{subnet}.2/24 dev eth0\naddr add 198.18.{subnet}.3/24 dev eth0\naddr add 198.18.{subnet}.4/24 dev eth0\n" +
                $"addr add {Metadata}/32 dev eth0\n" +
                "link set eth0 up\nlink set lo up\n" +
                $"route add default via 198.18.{subnet}.1\n");
            await InternetCommand.RunAsync("ip", ["netns", "exec", ns, "nft", "-f", "-"], """
                table inet probe {
                 counter from_sandboxes { }
                 counter pings { }
                 counter ipv6 { }
                 chain input {
                  type filter hook input priority 0; policy accept;
                  ip saddr 10.203.0.0/16 counter name "from_sandboxes"
                  icmp type echo-request counter name "pings"
                  icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert, mld-listener-query, mld-listener-report, mld2-listener-report } accept
                  meta nfproto ipv6 counter name "ipv6"
                 }
                }
                """);
            var startInfo = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "netns", "exec", ns, "/usr/bin/python3", script, directory, Path.Combine(directory, "server.pem"), Path.Combine(directory, "server.key") })
            {
                startInfo.ArgumentList.Add(a);
            }

            listener = Process.Start(startInfo)!;
        }
        catch
        {
            await InternetCommand.TryAsync("ip", ["netns", "delete", ns]);
            await InternetCommand.TryAsync("ip", ["link", "delete", hostIf]);
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }

        var internet = new BatteryInternet(suffix, subnet, directory, listener);
        try
        {
            await internet.RouteSpecialAddressesAsync();
            var watch = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(directory, "ready")))
            {
                if (listener.HasExited) throw new InvalidOperationException($"the battery's internet did not start: {await listener.StandardError.ReadToEndAsync()}");
                if (watch.Elapsed > TimeSpan.FromSeconds(30)) throw new InvalidOperationException("the battery's internet did not start within 30 s");
                await Task.Delay(50);
            }
        }
        catch
        {
            await internet.DisposeAsync();
            throw;
        }

        return internet;
    }

    /// <summary>The lines of the arrivals log so far: a case takes this before its attack and reads what came after.</summary>
    public int Mark() => Arrivals(0).Count;

    /// <summary>Everything that reached the internet's listeners, from line <paramref name="from"/> on.</summary>
    public IReadOnlyList<JsonElement> Arrivals(int from)
    {
        var path = Path.Combine(Directory, "arrivals.log");
        if (!File.Exists(path)) return [];
        return [.. File.ReadAllLines(path).Where(l => l.Length > 0).Skip(from).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    /// <summary>The namespace's packet counters (<c>from_sandboxes</c>, <c>pings</c>, <c>ipv6</c>).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountersAsync()
    {
        var json = await InternetCommand.RunAsync("ip", ["netns", "exec", Namespace, "nft", "-j", "list", "counters", "table", "inet", "probe"]);
        using var doc = JsonDocument.Parse(json);
        var counters = new Dictionary<string, long>();
        foreach (var item in doc.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("counter", out var c)) counters[c.GetProperty("name").GetString()!] = c.GetProperty("packets").GetInt64();
        }

        return counters;
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
        if (_metadataRouted) await InternetCommand.TryAsync("ip", ["route", "delete", $"{Metadata}/32", "via", Pkgs, "dev", HostInterface]);
        _routeLock?.Dispose();
        await InternetCommand.TryAsync("ip", ["netns", "delete", Namespace]);
        await InternetCommand.TryAsync("ip", ["link", "delete", HostInterface]);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// The metadata address and IPv6. The metadata route is added only if the host has no route of its own for the
    /// address (a cloud host's real endpoint, another test's internet): the battery never shadows or aims at it then.
    /// </summary>
    private async Task RouteSpecialAddressesAsync()
    {
        _routeLock = await MetadataRouteLock.AcquireAsync(TimeSpan.FromMinutes(10));
        var existing = await InternetCommand.RunAsync("ip", ["-4", "route", "show", $"{Metadata}/32"]);
        if (_routeLock is null)
        {
            MetadataUnavailable = $"another internet held {MetadataRouteLock.Path} for 10 minutes; the battery does not take {Metadata} over";
        }
        else if (existing.Trim().Length > 0)
        {
            MetadataUnavailable = $"the host already routes {Metadata} ({existing.Trim()}); the battery does not take it over";
        }
        else
        {
            var (code, _, error) = await InternetCommand.TryAsync("ip", ["route", "add", $"{Metadata}/32", "via", Pkgs, "dev", HostInterface]);
            if (code == 0) _metadataRouted = true;
            else MetadataUnavailable = $"could not route {Metadata} to the battery's internet: {error.Trim()}";
        }

        var prefix = $"fd52:7274:{Subnet.ToString("x", CultureInfo.InvariantCulture)}::";
        var host = await InternetCommand.TryAsync("ip", ["-6", "addr", "add", prefix + "1/64", "dev", HostInterface, "nodad"]);
        var inside = await InternetCommand.TryAsync("ip", ["-n", Namespace, "-6", "addr", "add", prefix + "2/64", "dev", "eth0", "nodad"]);
        if (host.Code == 0 && inside.Code == 0) Ipv6 = prefix + "2";
    }

    /// <summary>A 198.18.R.0/24 no route of the host uses yet (another internet, a test's).</summary>
    internal static async Task<int> FreeSubnetAsync()
    {
        var routes = await InternetCommand.RunAsync("ip", ["-4", "route", "show"]);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var r = Random.Shared.Next(1, 255);
            if (!routes.Contains($"198.18.{r}.", StringComparison.Ordinal)) return r;
        }

        throw new InvalidOperationException("no free 198.18.R.0/24 for the battery's internet");
    }
}
