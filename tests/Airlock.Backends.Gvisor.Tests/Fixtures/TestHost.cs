using Airlock.Core;

namespace Airlock.Backends.Gvisor.Tests.Fixtures;

/// <summary>
/// What gVisor integration tests share: an image rootfs already owned by <see cref="HostIdRange"/> (the
/// default image, or the container tier tests' shifted cache), the published NativeAOT agent, and short
/// data directories (the agent socket path must fit in 107 bytes).
/// </summary>
internal static class TestHost
{
    public const string CacheDirectory = "/var/tmp/airlock-gvisor-tests";

    private static readonly string[] RootfsCandidates = ["/var/lib/airlock/images/python/rootfs", "/var/tmp/airlock-runc-tests/rootfs"];
    private static readonly Lazy<string?> SkipReasonLazy = new(ComputeSkipReason);

    public static string? SkipReason => SkipReasonLazy.Value;

    public static string Rootfs => RootfsCandidates.First(r => File.Exists(Path.Combine(r, "usr/bin/python3")));

    public static string AgentPath => FindAgent() ?? throw new InvalidOperationException("agent not published");

    public static AirlockPaths NewDataDirectory()
    {
        Directory.CreateDirectory(CacheDirectory);
        File.SetUnixFileMode(CacheDirectory, (UnixFileMode)0b111_001_001);
        var dir = Path.Combine(CacheDirectory, "d" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_001_001);
        return new AirlockPaths(dir);
    }

    public static string NewId() => "g" + Guid.NewGuid().ToString("N")[..10];

    private static string? ComputeSkipReason()
    {
        var probe = new GvisorBackend(new AirlockPaths(CacheDirectory)).Probe();
        if (!probe.Available)
        {
            return $"gvisor tier unavailable: {probe.Reason} (fix: {probe.Fix})";
        }

        if (!RootfsCandidates.Any(r => File.Exists(Path.Combine(r, "usr/bin/python3"))))
        {
            return $"no image rootfs with python3 at {string.Join(" or ", RootfsCandidates)} (run ./airlock image build python, or the container tier tests)";
        }

        return FindAgent() is null ? "the guest agent is not published: run scripts/setup.sh (artifacts/agent/airlock-agent)" : null;
    }

    /// <summary>artifacts/agent/airlock-agent of the checkout this test runs from.</summary>
    private static string? FindAgent()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var agent = Path.Combine(dir.FullName, "artifacts", "agent", "airlock-agent");
            if (File.Exists(agent))
            {
                return agent;
            }
        }

        return null;
    }
}
