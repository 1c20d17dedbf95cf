using System.Diagnostics;
using Airlock.Guest.Protocol;

namespace Airlock.Guest.Tests;

/// <summary>
/// Runs the real agent binary on this host against a temporary root, with a sibling "outside"
/// directory standing in for the host's files that every escape attempt targets.
/// Set AIRLOCK_AGENT to test another build (e.g. the NativeAOT publish in artifacts/agent).
/// </summary>
public class AgentFixture : IDisposable
{
    public AgentFixture()
        : this(withoutOpenat2: false)
    {
    }

    /// <param name="withoutOpenat2">Makes the agent confine paths as it does where the kernel has no openat2 (gVisor).</param>
    protected AgentFixture(bool withoutOpenat2)
    {
        Base = Directory.CreateTempSubdirectory("airlock-guest-test-").FullName;
        Root = Path.Combine(Base, "root");
        Outside = Path.Combine(Base, "outside");
        Directory.CreateDirectory(Path.Combine(Root, "workspace"));
        Directory.CreateDirectory(Outside);
        SocketPath = Path.Combine(Base, "agent.sock");

        var start = new ProcessStartInfo(AgentPath)
        {
            ArgumentList = { "serve", "--socket", SocketPath, "--root", Root, "--log", Path.Combine(Base, "agent.log") },
            UseShellExecute = false,
        };
        start.Environment["AIRLOCK_SANDBOX_VAR"] = "from-agent-env";
        if (withoutOpenat2) start.Environment["AIRLOCK_AGENT_WITHOUT_OPENAT2"] = "1";
        Agent = Process.Start(start) ?? throw new InvalidOperationException("cannot start the agent");
        Client = GuestClient.ForUnixSocket(SocketPath);
        try
        {
            WaitUntilAnswering();
        }
        catch
        {
            // xunit never disposes a fixture whose constructor threw: an agent that never answered leaves nothing behind.
            Dispose();
            throw;
        }
    }

    public string Base { get; }

    /// <summary>The sandbox root ("/" for the agent).</summary>
    public string Root { get; }

    /// <summary>A directory outside the root that must never be read or written through the agent.</summary>
    public string Outside { get; }

    public string SocketPath { get; }

    public Process Agent { get; }

    public GuestClient Client { get; }

    public static string AgentPath
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable("AIRLOCK_AGENT");
            if (!string.IsNullOrEmpty(configured))
            {
                return configured;
            }

            // tests/Airlock.Guest.Tests/bin/<Configuration>/net10.0/ -> src/Airlock.Guest/bin/<Configuration>/net10.0/airlock-agent
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            string configuration = output.Parent!.Name;
            string repo = output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(repo, "src", "Airlock.Guest", "bin", configuration, output.Name, "airlock-agent");
        }
    }

    /// <summary>
    /// What a command's SigIgn may show: nothing from the Native AOT agent (its own spawn); glibc's two internal signals
    /// (32, 33: posix_spawn's child leaves them ignored) from the JIT build, which starts commands with glibc's posix_spawn.
    /// </summary>
    public static ulong SpawnIgnoredSignals => File.Exists(Path.ChangeExtension(AgentPath, ".dll")) ? 0x1_8000_0000UL : 0UL;

    /// <summary>The path of <paramref name="sandboxPath"/> on this host.</summary>
    public string HostPath(string sandboxPath) => Path.Combine(Root, sandboxPath.TrimStart('/'));

    public void Dispose()
    {
        try
        {
            if (!Agent.HasExited)
            {
                Syscall.Kill(Agent.Id, 15); // SIGTERM: the agent kills its background processes and removes the socket
                if (!Agent.WaitForExit(5000))
                {
                    Agent.Kill();
                    Agent.WaitForExit();
                }
            }
        }
        finally
        {
            Agent.Dispose();
            Directory.Delete(Base, recursive: true);
            GC.SuppressFinalize(this);
        }
    }

    private void WaitUntilAnswering()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Client.PingAsync().GetAwaiter().GetResult();
                return;
            }
            catch (AirlockException) when (deadline.Elapsed < TimeSpan.FromSeconds(15) && !Agent.HasExited)
            {
                Thread.Sleep(20);
            }
        }
    }
}

/// <summary>The agent with its component-by-component resolver instead of openat2, as it runs under gVisor.</summary>
public sealed class AgentWithoutOpenat2Fixture() : AgentFixture(withoutOpenat2: true);
