using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Airlock.Integration.Tests;

/// <summary>The container tier's defences, observed from inside a real sandbox.</summary>
[Collection(SandboxCollection.Name)]
public sealed class HardeningTests(SharedSandboxFixture sandbox) : IClassFixture<SharedSandboxFixture>
{
    private static readonly string[] ForbiddenCapabilities =
    [
        "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "NET_ADMIN", "NET_RAW", "DAC_READ_SEARCH",
        "SYSLOG", "BPF", "PERFMON", "MKNOD", "SYS_BOOT", "SYS_TIME",
    ];

    private static readonly Dictionary<string, int> CapabilityBits = new()
    {
        ["DAC_READ_SEARCH"] = 2, ["NET_ADMIN"] = 12, ["NET_RAW"] = 13, ["SYS_MODULE"] = 16, ["SYS_RAWIO"] = 17,
        ["SYS_PTRACE"] = 19, ["SYS_ADMIN"] = 21, ["SYS_BOOT"] = 22, ["SYS_TIME"] = 25, ["MKNOD"] = 27,
        ["SYSLOG"] = 34, ["PERFMON"] = 38, ["BPF"] = 39,
    };

    [Fact]
    public async Task RootInside_IsNotRootOnTheHost()
    {
        var map = await sandbox.ExecAsync("cat", "/proc/self/uid_map");
        var fields = map.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0", fields[0]);
        Assert.NotEqual("0", fields[1]);
        var gidMap = await sandbox.ExecAsync("cat", "/proc/self/gid_map");
        Assert.NotEqual("0", gidMap.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    [Fact]
    public async Task EffectiveCapabilities_HaveNoneOfTheDangerousOnes()
    {
        var status = (await sandbox.ExecAsync("cat", "/proc/self/status")).Stdout;
        foreach (var set in new[] { "CapEff", "CapBnd", "CapPrm" })
        {
            var mask = ulong.Parse(Field(status, set), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            foreach (var cap in ForbiddenCapabilities)
            {
                Assert.True((mask & (1UL << CapabilityBits[cap])) == 0, $"{set} has CAP_{cap} ({mask:x})");
            }
        }
    }

    [Fact]
    public async Task SeccompFilterAndNoNewPrivs_AreOn()
    {
        var status = (await sandbox.ExecAsync("cat", "/proc/self/status")).Stdout;
        Assert.Equal("2", Field(status, "Seccomp"));
        Assert.Equal("1", Field(status, "NoNewPrivs"));
    }

    [Theory]
    [InlineData("unshare -U true")]
    [InlineData("unshare -n true")]
    [InlineData("mkdir -p /mnt/x && mount -t tmpfs x /mnt/x")]
    public async Task NamespaceAndMountEscapes_Fail(string command)
    {
        var result = await sandbox.ExecAsync("sh", "-c", command);
        Assert.NotEqual(0, result.ExitCode);
    }

    [Theory]
    [InlineData(250, "keyctl")]
    [InlineData(248, "add_key")]
    [InlineData(321, "bpf")]
    [InlineData(298, "perf_event_open")]
    [InlineData(323, "userfaultfd")]
    [InlineData(425, "io_uring_setup")]
    [InlineData(246, "kexec_load")]
    [InlineData(313, "finit_module")]
    [InlineData(101, "ptrace")]
    [InlineData(308, "setns")]
    public async Task DangerousSyscalls_AreRefused(int number, string name)
    {
        var script = $"import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\nr = libc.syscall({number}, 0, 0, 0, 0, 0)\nprint(r, ctypes.get_errno())";
        var result = await sandbox.ExecAsync("python3", "-c", script);
        Assert.True(result.ExitCode == 0, result.ToString());
        var parts = result.Stdout.Trim().Split(' ');
        Assert.True(parts[0] == "-1", $"{name} returned {result.Stdout}");
        Assert.Equal("1", parts[1]); // EPERM: refused by the seccomp allowlist, not merely bad arguments
    }

    [Fact]
    public async Task HostProcesses_AreInvisible()
    {
        var result = await sandbox.ExecAsync("sh", "-c", "ls /proc | grep -c '^[0-9]'");
        Assert.True(int.Parse(result.Stdout.Trim(), CultureInfo.InvariantCulture) < 10, result.ToString());
        var mine = await sandbox.ExecAsync("cat", $"/proc/{Environment.ProcessId}/cmdline");
        Assert.DoesNotContain("dotnet", mine.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostFilesAndEnvironment_AreInvisible()
    {
        var marker = Path.Combine("/tmp", "airlock-host-marker-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(marker, "host secret");
        try
        {
            var ls = await sandbox.ExecAsync("ls", marker);
            Assert.NotEqual(0, ls.ExitCode);
            var env = await sandbox.ExecAsync("sh", "-c", "cat /proc/1/environ | tr '\\0' '\\n'; env");
            Assert.DoesNotContain("AIRLOCK_IMAGES", env.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("DOTNET", env.Stdout, StringComparison.Ordinal);
            // No host directory is mounted in. The one host file is the read-only agent binary at /.airlock/agent;
            // the root's overlay options name host paths (as with Docker), but no other mount's source is a host path.
            var mounts = await sandbox.ExecAsync("cat", "/proc/self/mountinfo");
            var hostRoots = mounts.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' '))
                .Where(f => f[4] != "/.airlock/agent")
                .Select(f => f[3])
                .Where(root => root.StartsWith("/tmp", StringComparison.Ordinal) || root.StartsWith("/home", StringComparison.Ordinal) || root.StartsWith("/var/lib", StringComparison.Ordinal) || root.StartsWith("/work", StringComparison.Ordinal) || root.StartsWith("/etc", StringComparison.Ordinal));
            Assert.Empty(hostRoots);
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task AListenerOnTheHostsLoopback_IsUnreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();
        var result = await sandbox.ExecAsync("python3", "-c",
            $"import socket\ns = socket.socket()\ns.settimeout(2)\ntry:\n  s.connect(('127.0.0.1', {port})); print('connected')\nexcept OSError as e:\n  print('refused', e)");
        Assert.StartsWith("refused", result.Stdout, StringComparison.Ordinal);
        Assert.False(accepted.IsCompleted);
        var ip = await sandbox.ExecAsync("cat", "/proc/net/dev");
        Assert.DoesNotContain("eth0", ip.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Devices_AreOnlyTheHarmlessOnes()
    {
        var result = await sandbox.ExecAsync("sh", "-c", "ls /dev");
        var devices = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain("sda", devices);
        Assert.DoesNotContain("vda", devices);
        Assert.DoesNotContain("kmsg", devices);
        Assert.DoesNotContain("mem", devices);
        Assert.Contains("null", devices);
        Assert.Contains("urandom", devices);
        var hostname = await sandbox.ExecAsync("hostname");
        Assert.Equal($"sandbox-{sandbox.Id}\n", hostname.Stdout);
    }

    [Fact]
    public async Task NoDaemonFileDescriptor_LeaksIntoCommands()
    {
        var result = await sandbox.ExecAsync("sh", "-c", "ls -l /proc/self/fd/ | tail -n +2 | wc -l; ls -l /proc/1/fd");
        // sh's own 0, 1, 2 and the fd ls opens for /proc/self/fd: nothing else.
        Assert.True(int.Parse(result.Stdout.Split('\n')[0].Trim(), CultureInfo.InvariantCulture) <= 4, result.ToString());
    }

    [Fact]
    public async Task Inspect_ReportsThePostureAsEnforcedInside()
    {
        var result = await Cli.RunAsync(sandbox.DataDir, "inspect", "--json", sandbox.Id);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("container", root.GetProperty("isolation").GetString());
        Assert.Equal(2, root.GetProperty("seccompMode").GetInt32());
        Assert.True(root.GetProperty("noNewPrivileges").GetBoolean());
        Assert.StartsWith("0 100000000 ", root.GetProperty("uidMap").GetString(), StringComparison.Ordinal);
        var capabilities = root.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.DoesNotContain("SYS_ADMIN", capabilities);
        Assert.Contains("CHOWN", capabilities);
        Assert.Equal(512L << 20, root.GetProperty("memoryLimitBytes").GetInt64());
        // The sandbox's pids cgroup holds the user's 256 plus the agent's own reserve; commands get the 256 as RLIMIT_NPROC.
        Assert.InRange(root.GetProperty("pidsLimit").GetInt64(), 256, 256 + 256);
        Assert.Equal("none: loopback only", root.GetProperty("network").GetString());
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), root.GetProperty("kernelInside").GetString());
    }

    private static string Field(string status, string name) =>
        status.Split('\n').Single(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(':')[1].Trim();
}
