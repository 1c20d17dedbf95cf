using System.Diagnostics;
using System.Text;
using Airlock.Core.Backends;
using Airlock.Guest.Protocol;
using Airlock;
using Xunit.Abstractions;

namespace Airlock.Backends.MicroVm.Tests;

[Collection(MicroVmCollection.Name)]
public sealed class MicroVmSandboxTests(ITestOutputHelper output)
{
    /// <summary>One boot covers the lifecycle: VM boots are seconds under TCG and the machine is shared.</summary>
    [MicroVmFact]
    public async Task Create_BootsTheGuestKernel_ExecWorks_AndDestroyLeavesNothing()
    {
        var paths = MicroVmHost.NewDataDirectory();
        var steps = new List<string>();
        var backend = new MicroVmBackend(paths, new MicroVmBackendOptions { VerboseConsole = Environment.GetEnvironmentVariable("AIRLOCK_MICROVM_VERBOSE") == "1", OnCreateStep = (s, t) => steps.Add($"{s} {t.TotalMilliseconds:0}ms") });
        var id = MicroVmHost.NewId();
        var layout = MicroVmLayout.For(paths, id);
        int? qemuPid = null;
        try
        {
            output.WriteLine(backend.Probe().Reason);
            var clock = Stopwatch.StartNew();
            await backend.CreateAsync(MicroVmHost.Request(id, new() { ["AIRLOCK_TEST"] = "it's \"quoted\" $HOME" }));
            output.WriteLine($"create {clock.ElapsedMilliseconds} ms: {string.Join(", ", steps)}");
            qemuPid = MicroVmBackend.ReadPid(layout.QemuPidFile);
            var client = new GuestClient(ct => backend.ConnectAgentAsync(id, ct));
            var (code, text, _) = await ExecAsync(client, "uname -r; hostname; echo \"$AIRLOCK_TEST\"; id -u; stat -c %u /etc/shadow", clock);
            output.WriteLine(text);
            Assert.Equal(BackendState.Running, await backend.GetStateAsync(id));
            Assert.Equal(0, code);
            var lines = text.Split('\n');
            var kernel = GuestKernel.Find(new MicroVmBackendOptions().KernelDirectory)!;
            Assert.Equal(kernel.Release, lines[0]);
            Assert.NotEqual(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), lines[0]);
            Assert.Equal("sbx-" + id, lines[1]);
            Assert.Equal("it's \"quoted\" $HOME", lines[2]);
            Assert.Equal("0", lines[3]);
            Assert.Equal("0", lines[4]); // image ownership shifted back from HostIdRange to 0-based

            Assert.Equal(7, (await ExecAsync(client, "exit 7")).ExitCode);

            // No network asked for: the guest has loopback only, and QEMU (jailed) sits in an empty network namespace
            // of its own with none of this process's environment.
            var (_, interfaces, _) = await ExecAsync(client, "ls /sys/class/net");
            Assert.Equal("lo", interfaces.Trim());
            Assert.NotEqual(NetNamespace("self"), NetNamespace($"{qemuPid}"));
            Assert.Equal(["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "PWD=/"], File.ReadAllText($"/proc/{qemuPid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries));

            // The guest kernel's OOM killer: the agent sees a SIGKILL while the guest's oom_kill count grew, and says
            // memory itself; the VMM's own cgroup counted nothing (QEMU stayed within guest RAM + overhead).
            var before = await backend.ReadLimitCountersAsync(id);
            var (oomCode, _, oomKilledBy) = await ExecAsync(client, "exec tail /dev/zero");
            var after = await backend.ReadLimitCountersAsync(id);
            output.WriteLine($"oom: exit {oomCode} killed by {oomKilledBy}, VMM oom_kill {before.OomKills} -> {after.OomKills}");
            Assert.Equal(137, oomCode);
            Assert.Equal(ExecResult.Limits.Memory, oomKilledBy);
            Assert.Equal(before.OomKills, after.OomKills);
            Assert.Equal(0, (await ExecAsync(client, "true")).ExitCode); // the agent survived the guest's OOM
            // A SIGKILL that was not the OOM killer's is not called memory.
            Assert.Equal((-9, "", (string?)null), await ExecAsync(client, "kill -9 $$"));

            // What the host pays for the guest (resource rules and the anomaly sampler read it): QEMU's CPU and memory.
            var usage = await ((ISandboxBackend)backend).ReadUsageAsync(id); // as the engine calls it: the interface has a null default
            Assert.True(usage is { CpuNanoseconds: > 0, WorkingSetBytes: > 0 }, $"usage {usage}");

            await backend.PauseAsync(id);
            Assert.Equal(BackendState.Paused, await backend.GetStateAsync(id));
            await backend.ResumeAsync(id);
            Assert.Equal(BackendState.Running, await backend.GetStateAsync(id));
        }
        finally
        {
            await backend.DestroyAsync(id);
            if (!Directory.Exists(layout.Directory))
            {
                // Wait out the disk pool's background refill, which writes into this data directory.
                await Task.Delay(TimeSpan.FromSeconds(1));
                Directory.Delete(paths.DataDirectory, recursive: true);
            }
        }

        Assert.NotNull(qemuPid);
        Assert.False(Directory.Exists($"/proc/{qemuPid}"), $"QEMU {qemuPid} still running");
        Assert.False(Directory.Exists(layout.Directory), "sandbox directory (disk, sockets) left behind");
        Assert.DoesNotContain(VmmCgroup.Directories(layout), Directory.Exists);
        Assert.Equal(BackendState.Missing, await backend.GetStateAsync(id));
        await backend.DestroyAsync(id); // idempotent
    }

    /// <summary>Exit code, or minus the signal that killed the command.</summary>
    /// <summary>Exit code (minus the signal for a plain kill; 137 for a limit's), output, and the limit the agent named.</summary>
    private async Task<(int ExitCode, string Output, string? KilledBy)> ExecAsync(GuestClient client, string script, Stopwatch? sinceCreate = null)
    {
        var text = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var item in client.ExecAsync(new Airlock.ExecRequest { Command = ["/bin/sh", "-c", script] }, timeout.Token))
        {
            switch (item)
            {
                case ExecOutput o:
                    if (text.Length == 0 && sinceCreate is not null) output.WriteLine($"create -> first exec output {sinceCreate.ElapsedMilliseconds} ms");
                    text.Append(Encoding.UTF8.GetString(o.Data.Span));
                    break;
                case ExecExited e:
                    var code = e.Result.Signal is { } signal && e.Result.KilledBy is null ? -signal : e.Result.ExitCode;
                    return (code, text.ToString().TrimEnd('\n'), e.Result.KilledBy);
            }
        }

        throw new InvalidOperationException("exec ended without an exit");
    }

    private static string NetNamespace(string pid) => new FileInfo($"/proc/{pid}/ns/net").LinkTarget!;
}
