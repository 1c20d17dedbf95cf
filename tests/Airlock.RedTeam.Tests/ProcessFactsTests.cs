using System.Diagnostics;
using Airlock.RedTeam.Host;

namespace Airlock.RedTeam.Tests;

/// <summary>The census's count of sockets outside inet/unix/netlink: a held AF_VSOCK socket counts, sockets that come and go do not.</summary>
[Collection("redteam")]
public sealed class ProcessFactsTests
{
    [Fact]
    public async Task OtherFamilySockets_CountsAHeldVsockSocket()
    {
        using var process = StartPython("import socket, sys, time\ns = socket.socket(40, socket.SOCK_STREAM)\nprint('ready', flush=True)\ntime.sleep(60)");
        Assert.Equal("ready", await process.StandardOutput.ReadLineAsync());

        var facts = ProcessFacts.Read(process.Id);

        Assert.NotNull(facts);
        Assert.Equal(1, facts.OtherFamilySockets);
        process.Kill();
    }

    [Fact]
    public async Task OtherFamilySockets_IgnoresUnixSocketsClosedWhileTheCensusReadsTheTables()
    {
        // QEMU's and the agent's connections open and close while a census runs: one closed between the descriptor
        // walk and the table reads was counted as a socket of another family (a false "escaped" on the microvm tier).
        using var process = StartPython("import socket\nprint('ready', flush=True)\nwhile True:\n    a, b = socket.socketpair()\n    a.close(); b.close()");
        Assert.Equal("ready", await process.StandardOutput.ReadLineAsync());

        var counts = Enumerable.Range(0, 300).Select(_ => ProcessFacts.Read(process.Id)?.OtherFamilySockets ?? 0).ToList();

        process.Kill();
        Assert.All(counts, c => Assert.Equal(0, c));
    }

    private static Process StartPython(string script)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        return Process.Start(start)!;
    }
}
