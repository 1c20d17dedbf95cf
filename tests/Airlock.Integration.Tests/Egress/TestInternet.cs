using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

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
        var subnet = await FreeSubnetAsync();
        var directory = System.IO.Directory.CreateTempSubdirectory("airlock-inet-").FullName;
        WriteCertificates(directory);
        var ns = "airlock-test-inet-" + suffix;
        var hostIf = "ati" + suffix;
        // The host has one route to the metadata address; another test internet (a parallel test assembly, the red-team
        // battery) waits for it rather than failing on "File exists" or leaving the address without its safety route.
        var routeLock = await Airlock.RedTeam.Host.Internet.MetadataRouteLock.AcquireAsync(TimeSpan.FromMinutes(10))
            ?? throw new InvalidOperationException($"another test internet held {Airlock.RedTeam.Host.Internet.MetadataRouteLock.Path} for 10 minutes");
        await Ip("netns", "add", ns);
        try
        {
            await IpBatch(null,
                $"link add {hostIf} type veth peer name atp{suffix} netns {ns}\n" +
                $"addr add 198.18.{subnet}.1/24 dev {hostIf}\n" +
                $"link set {hostIf} up\n" +
                $"route add {Metadata}/32 via 198.18.{subnet}.2 dev {hostIf}\n");
            await IpBatch(ns,
                $"link set atp{suffix} name eth0\n" +
                $"addr add 198.18.{subnet}.2/24 dev eth0\naddr add 198.18.{subnet}.3/24 dev eth0\naddr add 198.18.{subnet}.4/24 dev eth0\n" +
                $"addr add {Metadata}/32 dev eth0\n" +
                "link set eth0 up\nlink set lo up\n" +
                $"route add default via 198.18.{subnet}.1\n");
            // Counts every ICMP packet that reaches the internet, so a test can prove none did.
            await Run("ip", ["netns", "exec", ns, "nft", "-f", "-"],
                "table inet probe {\n counter pings { }\n chain input {\n  type filter hook input priority 0; policy accept;\n  ip protocol icmp counter name \"pings\"\n }\n}\n");
        }
        catch
        {
            await TryRun("ip", ["route", "delete", $"{Metadata}/32", "via", $"198.18.{subnet}.2"]);
            await Ip("netns", "delete", ns);
            await TryRun("ip", ["link", "delete", hostIf]);
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
        var output = await Run("ip", ["netns", "exec", Namespace, "nft", "list", "counter", "inet", "probe", "pings"]);
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
        await TryRun("ip", ["route", "delete", $"{Metadata}/32", "via", $"198.18.{Subnet}.2"]);
        await TryRun("ip", ["netns", "delete", Namespace]);
        await TryRun("ip", ["link", "delete", HostInterface]);
        _routeLock.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>A 198.18.R.0/24 no route of the host uses yet (another test's internet, say).</summary>
    private static async Task<int> FreeSubnetAsync()
    {
        var routes = await Run("ip", ["-4", "route", "show"]);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var r = Random.Shared.Next(1, 255);
            if (!routes.Contains($"198.18.{r}.", StringComparison.Ordinal)) return r;
        }

        throw new InvalidOperationException("no free 198.18.R.0/24 for a test internet");
    }

    /// <summary>The test's own CA and a server certificate for every *.test name the tests use.</summary>
    private static void WriteCertificates(string directory)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Airlock test internet CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=pkgs.test", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in new[] { "pkgs.test", "other.test", "api.test", "files.pkgs.test" }) names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(Path.Combine(directory, "ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.pem"), server.ExportCertificatePem() + "\n" + ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
    }

    private static Task Ip(params string[] args) => Run("ip", args);

    private static Task IpBatch(string? ns, string script) =>
        Run("ip", ns is null ? ["-batch", "-"] : ["-n", ns, "-batch", "-"], script);

    internal static async Task<string> Run(string file, IReadOnlyList<string> args, string? stdin = null)
    {
        var (code, stdout, stderr) = await Exec(file, args, stdin);
        return code == 0 ? stdout : throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {stderr}");
    }

    private static async Task TryRun(string file, IReadOnlyList<string> args) => await Exec(file, args, null);

    internal static async Task<(int Code, string Stdout, string Stderr)> Exec(string file, IReadOnlyList<string> args, string? stdin, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, await stdout, "timed out");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
