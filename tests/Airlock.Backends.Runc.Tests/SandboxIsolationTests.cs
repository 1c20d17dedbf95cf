using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Airlock.Backends.Runc.Tests.Fixtures;
using Airlock.Core;
using Xunit.Abstractions;

namespace Airlock.Backends.Runc.Tests;

/// <summary>What the sandbox must not be able to do, proven from inside a real container.</summary>
[Collection(RuncIntegrationCollection.Name)]
public sealed class SandboxIsolationTests(ITestOutputHelper output)
{
    private static readonly (int Bit, string Name)[] DeniedCaps =
    [
        (21, "SYS_ADMIN"), (16, "SYS_MODULE"), (19, "SYS_PTRACE"), (17, "SYS_RAWIO"), (12, "NET_ADMIN"), (13, "NET_RAW"),
        (2, "DAC_READ_SEARCH"), (34, "SYSLOG"), (39, "BPF"), (38, "PERFMON"), (27, "MKNOD"), (22, "SYS_BOOT"), (25, "SYS_TIME"),
    ];

    [IntegrationFact]
    public async Task Root_IsMappedToTheHostIdRange_WithNoDangerousCapabilities_SeccompAndNoNewPrivs()
    {
        await using var sandbox = await TestSandbox.CreateAsync();
        var (_, uidMap) = await sandbox.ExecAsync("cat /proc/self/uid_map /proc/self/gid_map");
        output.WriteLine(uidMap);
        foreach (var line in uidMap.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(HostIdRange.Base.ToString(CultureInfo.InvariantCulture), fields[1]);
        }

        var (_, status) = await sandbox.ExecAsync("grep -E '^(CapEff|CapBnd|CapAmb|Seccomp|NoNewPrivs):' /proc/self/status");
        output.WriteLine(status);
        var fieldsByName = status.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim());
        Assert.Equal("2", fieldsByName["Seccomp"]);
        Assert.Equal("1", fieldsByName["NoNewPrivs"]);
        Assert.Equal(0UL, ulong.Parse(fieldsByName["CapAmb"], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        foreach (var set in new[] { "CapEff", "CapBnd" })
        {
            var caps = ulong.Parse(fieldsByName[set], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.All(DeniedCaps, cap => Assert.True((caps & (1UL << cap.Bit)) == 0, $"{set} has CAP_{cap.Name}"));
        }
    }

    [IntegrationFact]
    public async Task NamespaceMountKeyringAndBpf_AreRefused()
    {
        await using var sandbox = await TestSandbox.CreateAsync();
        var (unshareCode, unshare) = await sandbox.ExecAsync("unshare -U true");
        Assert.NotEqual(0, unshareCode);
        var (mountCode, mount) = await sandbox.ExecAsync("mount -t tmpfs x /mnt");
        Assert.NotEqual(0, mountCode);
        output.WriteLine(unshare + mount);

        var (_, syscalls) = await sandbox.ExecAsync("""
            python3 -c '
            import ctypes, os, socket
            libc = ctypes.CDLL(None, use_errno=True)
            for nr, name in ((250, "keyctl"), (321, "bpf"), (272, "unshare"), (308, "setns"), (165, "mount"), (101, "ptrace"), (323, "userfaultfd"), (425, "io_uring_setup"), (298, "perf_event_open"), (435, "clone3")):
                r = libc.syscall(nr, 0, 0, 0, 0, 0)
                print(name, r, ctypes.get_errno())
            for family in (40, 38):
                try:
                    socket.socket(family, socket.SOCK_STREAM); print("af", family, "open")
                except OSError as e:
                    print("af", family, e.errno)
            '
            """);
        output.WriteLine(syscalls);
        var results = syscalls.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(p => p[0] + (p[0] == "af" ? p[1] : ""), p => p);
        foreach (var name in new[] { "keyctl", "bpf", "unshare", "setns", "mount", "ptrace", "userfaultfd", "io_uring_setup", "perf_event_open" })
        {
            Assert.Equal(["-1", "1"], results[name][1..]);
        }

        Assert.Equal(["-1", "38"], results["clone3"][1..]);
        Assert.Equal("1", results["af40"][2]);
        Assert.Equal("1", results["af38"][2]);
    }

    [IntegrationFact]
    public async Task RealisticWorkload_PythonThreadsPipGitBashJobControlPs_Works()
    {
        await using var sandbox = await TestSandbox.CreateAsync();
        var (code, text) = await sandbox.ExecAsync("""
            set -e
            python3 -c 'import threading, concurrent.futures as f; print("threads", sum(f.ThreadPoolExecutor(8).map(lambda x: x, range(100))))'
            pip --version
            cd /tmp && git init -q repo && cd repo && git -c user.email=a@b -c user.name=a commit -q --allow-empty -m x && git log --oneline | wc -l
            bash -i -c 'sleep 0.2 & jobs; wait; echo jobs-done' 2>/dev/null
            ps aux | wc -l
            python3 -c 'import os, signal, subprocess; print("sub", subprocess.run(["true"]).returncode)'
            echo ok
            """);
        output.WriteLine(text);
        Assert.Equal(0, code);
        Assert.Contains("threads 4950", text);
        Assert.Contains("pip ", text);
        Assert.Contains("jobs-done", text);
        Assert.Contains("sub 0", text);
        Assert.EndsWith("ok", text.TrimEnd());
    }

    [IntegrationFact]
    public async Task HostLoopbackListener_IsUnreachable_OnlyLoopbackExistsInside()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var sandbox = await TestSandbox.CreateAsync();

        var (_, text) = await sandbox.ExecAsync($$"""
            python3 -c '
            import socket
            s = socket.socket(); s.settimeout(2)
            try:
                s.connect(("127.0.0.1", {{port}})); print("connected")
            except OSError as e:
                print("refused", e.errno)
            '
            cat /proc/net/dev | tail -n +3 | cut -d: -f1
            """, timeoutSeconds: 20);
        output.WriteLine(text);
        Assert.StartsWith("refused", text);
        Assert.DoesNotContain("connected\n", text);
        Assert.Equal(["lo"], text.Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0));
        Assert.False(listener.Pending());
    }
}
