using System.Text;
using Airlock.Core.Backends;
using Airlock.Guest.Protocol;
using Xunit.Abstractions;

namespace Airlock.Backends.MicroVm.Tests;

/// <summary>
/// Guests restored from one template snapshot: each has its own settings, clock, random generator and disk, the snapshot
/// holds nothing of any sandbox, and a snapshot QEMU cannot restore is replaced by a boot.
/// </summary>
[Collection(MicroVmCollection.Name)]
public sealed class GuestTemplateTests(ITestOutputHelper output)
{
    private const string Facts = "hostname; echo \"$MARK\"; head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n'; echo; date +%s; test -e /root/written && echo seen || echo unseen; echo x > /root/written";

    [MicroVmFact]
    public async Task RestoredGuests_HaveTheirOwnSettingsClockRandomnessAndDisk_AndABadSnapshotIsRebuilt()
    {
        var paths = MicroVmHost.NewDataDirectory();
        var templateRoot = MicroVmHost.NewTemplateDirectory();
        var steps = new List<string>();
        var backend = new MicroVmBackend(paths, new MicroVmBackendOptions { TemplateDirectory = templateRoot, OnCreateStep = (step, _) => steps.Add(step) });
        var ids = new List<string>();
        try
        {
            async Task<string[]> CreateAsync(string mark)
            {
                var id = MicroVmHost.NewId();
                ids.Add(id);
                steps.Clear();
                await backend.CreateAsync(MicroVmHost.Request(id, new() { ["MARK"] = mark }));
                output.WriteLine($"{id}: {string.Join(", ", steps)}");
                var facts = await ExecAsync(new GuestClient(ct => backend.ConnectAgentAsync(id, ct)), Facts);
                output.WriteLine(facts);
                return facts.Split('\n');
            }

            var firstMark = "first-" + Guid.NewGuid().ToString("N");
            var first = await CreateAsync(firstMark);
            Assert.Contains("template-save", steps); // no template yet: this guest booted and saved one
            var template = Assert.Single(Directory.GetDirectories(templateRoot));
            var state = Path.Combine(template, GuestTemplate.StateName);
            Assert.True(new FileInfo(state).Length > 1 << 20, "the template's state was not saved");

            var secondMark = "second-" + Guid.NewGuid().ToString("N");
            var second = await CreateAsync(secondMark);
            Assert.Contains("restore", steps);
            Assert.DoesNotContain("template-boot", steps);

            var hostNow = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            foreach (var (facts, id, mark) in new[] { (first, ids[0], firstMark), (second, ids[1], secondMark) })
            {
                Assert.Equal("sbx-" + id, facts[0]);
                Assert.Equal(mark, facts[1]);
                Assert.InRange(long.Parse(facts[3], System.Globalization.CultureInfo.InvariantCulture), hostNow - 30, hostNow + 2);
                Assert.Equal("unseen", facts[4]); // the first guest's file is on its own disk only
            }

            // Same snapshot, same generator state at the start: the host's seed (and interrupt timing) must make these differ.
            Assert.Matches("^[0-9a-f]{32}$", first[2]);
            Assert.NotEqual(first[2], second[2]);

            // Settings reach a guest after the snapshot: none of them is in it.
            var stateBytes = await File.ReadAllBytesAsync(state);
            Assert.Equal(-1, stateBytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(firstMark)));
            Assert.Equal(-1, stateBytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("sbx-" + ids[0])));

            // A snapshot QEMU refuses (here: cut short) is discarded; the create boots and saves a new one.
            await File.WriteAllBytesAsync(state, stateBytes.AsMemory(0, stateBytes.Length / 2).ToArray());
            var third = await CreateAsync("third");
            Assert.Contains("template-save", steps);
            Assert.Equal("third", third[1]);
            Assert.True(new FileInfo(state).Length > stateBytes.Length / 2 + (1 << 20), "the damaged template was not replaced");
        }
        finally
        {
            foreach (var id in ids)
            {
                await backend.DestroyAsync(id);
            }

            await Task.Delay(TimeSpan.FromSeconds(1)); // the disk pool's background refill writes into the data directory
            Directory.Delete(paths.DataDirectory, recursive: true);
            Directory.Delete(templateRoot, recursive: true);
        }

        foreach (var id in ids)
        {
            Assert.Equal(BackendState.Missing, await backend.GetStateAsync(id));
        }
    }

    [MicroVmFact]
    public async Task TwoFirstCreatesOfAKind_AtOnce_BothRun_AndOneTemplateIsKept()
    {
        var paths = MicroVmHost.NewDataDirectory();
        var templateRoot = MicroVmHost.NewTemplateDirectory();
        var backend = new MicroVmBackend(paths, new MicroVmBackendOptions { TemplateDirectory = templateRoot });
        string[] ids = [MicroVmHost.NewId(), MicroVmHost.NewId()];
        try
        {
            await Task.WhenAll(ids.Select(id => backend.CreateAsync(MicroVmHost.Request(id))));
            foreach (var id in ids)
            {
                Assert.Equal("sbx-" + id, await ExecAsync(new GuestClient(ct => backend.ConnectAgentAsync(id, ct)), "hostname"));
            }

            // Both booted and saved; the second to publish kept the first's template and removed its own build.
            var kept = Assert.Single(Directory.GetDirectories(templateRoot));
            Assert.DoesNotContain(".making-", kept, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(kept, GuestTemplate.StateName)));
        }
        finally
        {
            foreach (var id in ids)
            {
                await backend.DestroyAsync(id);
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
            Directory.Delete(paths.DataDirectory, recursive: true);
            Directory.Delete(templateRoot, recursive: true);
        }
    }

    private static async Task<string> ExecAsync(GuestClient client, string script)
    {
        var text = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var item in client.ExecAsync(new Airlock.ExecRequest { Command = ["/bin/sh", "-c", script] }, timeout.Token))
        {
            switch (item)
            {
                case ExecOutput o:
                    text.Append(Encoding.UTF8.GetString(o.Data.Span));
                    break;
                case ExecExited e:
                    Assert.Equal(0, e.Result.ExitCode);
                    return text.ToString().TrimEnd('\n');
            }
        }

        throw new InvalidOperationException("exec ended without an exit");
    }
}
