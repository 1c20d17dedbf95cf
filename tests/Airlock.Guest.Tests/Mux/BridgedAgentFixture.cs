using System.Diagnostics;
using Airlock.Guest.Protocol;

namespace Airlock.Guest.Tests.Mux;

/// <summary>
/// The real agent behind the real host bridge, both the binary AgentFixture runs: the host's ordinary
/// GuestClient connects per operation to the bridge's socket, and the bridge carries each operation over
/// one multiplexed stream to the agent. The bridge starts first, as a backend would start it.
/// </summary>
public abstract class BridgedAgentFixture : IDisposable
{
    private readonly List<string> _bridgeArgs = [];

    protected BridgedAgentFixture()
    {
        Base = Directory.CreateTempSubdirectory("airlock-bridge-test-").FullName;
        Root = Path.Combine(Base, "root");
        Directory.CreateDirectory(Path.Combine(Root, "workspace"));
        HostSocket = Path.Combine(Base, "host.sock");
        PidFile = Path.Combine(Base, "bridge.pid");
        Client = GuestClient.ForUnixSocket(HostSocket);
    }

    public string Base { get; }

    public string Root { get; }

    public string HostSocket { get; }

    public string PidFile { get; }

    public GuestClient Client { get; }

    public Process Agent { get; private set; } = null!;

    public Process Bridge { get; private set; } = null!;

    public string HostPath(string sandboxPath) => Path.Combine(Root, sandboxPath.TrimStart('/'));

    /// <summary>Stops the bridge (SIGTERM, as a backend destroying the sandbox does) and starts a new one.</summary>
    public void RestartBridge()
    {
        Stop(Bridge);
        Bridge = StartBridge();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(PidFile))
        {
            // The pid file appears once the bridge listens, as a backend would wait for it.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15) && !Bridge.HasExited, "the bridge did not start");
            Thread.Sleep(10);
        }
    }

    public void Dispose()
    {
        try
        {
            Stop(Agent);
            Stop(Bridge);
            DisposeTransport();
        }
        finally
        {
            Directory.Delete(Base, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    protected void Start(string[] agentTransport, string[] bridgeGuest)
    {
        _bridgeArgs.AddRange(["bridge", "--listen", HostSocket, .. bridgeGuest, "--pid-file", PidFile, "--log", Path.Combine(Base, "bridge.log")]);
        try
        {
            Bridge = StartBridge();
            Agent = StartProcess(["serve", .. agentTransport, "--root", Root, "--log", Path.Combine(Base, "agent.log")]);
            WaitUntilAnswering();
        }
        catch
        {
            Dispose(); // xunit does not dispose a fixture whose constructor threw: the processes must not leak
            throw;
        }
    }

    /// <summary>Until the bridge listens, connections are refused; after that, pings wait in the bridge for the agent.</summary>
    private void WaitUntilAnswering()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Client.PingAsync().WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
                return;
            }
                catch (AirlockException) when (clock.Elapsed < TimeSpan.FromSeconds(15) && !Bridge.HasExited && !Agent.HasExited)
            {
                Thread.Sleep(20);
            }
        }
    }

    protected virtual void DisposeTransport()
    {
    }

    private Process StartBridge() => StartProcess([.. _bridgeArgs]);

    private static Process StartProcess(string[] args)
    {
        var start = new ProcessStartInfo(AgentFixture.AgentPath) { UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("cannot start " + args[0]);
    }

    private static void Stop(Process? process)
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            Syscall.Kill(process.Id, 15);
            if (!process.WaitForExit(5000))
            {
                process.Kill();
                process.WaitForExit();
            }
        }

        process.Dispose();
    }
}
