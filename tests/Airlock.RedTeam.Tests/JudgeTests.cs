using Airlock.RedTeam.Host;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Tests;

/// <summary>The host-side judges can say "escaped": given evidence of an escape, the verdict is not contained.</summary>
[Collection("redteam")]
public sealed class JudgeTests
{
    [Fact]
    public void Census_WhenASandboxProcessEntersANewUserNamespace_FindsIt()
    {
        var baseline = new ProcessCensus([Process(1, "user:[4026531837]", mounts: 20)]);
        var later = new ProcessCensus([Process(1, "user:[4026531837]", mounts: 20), Process(2, "user:[4026532999]", mounts: 20)]);

        var findings = baseline.FindingsIn(later);

        Assert.Contains(findings, f => f.Contains("new user namespace", StringComparison.Ordinal));
        Assert.Equal(Verdict.Escaped, Judgement.From(findings, "clean").Verdict);
    }

    [Fact]
    public void Census_WhenAMountAppearsOrARefusedObjectIsHeld_FindsBoth()
    {
        var baseline = new ProcessCensus([Process(1, "user:[1]", mounts: 20)]);
        var later = new ProcessCensus([Process(1, "user:[1]", mounts: 21, anon: ["[io_uring]"], raw: 1)]);

        var findings = baseline.FindingsIn(later);

        Assert.Equal(3, findings.Count);
    }

    [Fact]
    public void Census_WhenNothingChanged_IsContained()
    {
        var baseline = new ProcessCensus([Process(1, "user:[1]", mounts: 20)]);

        Assert.Equal(Verdict.Contained, Judgement.From(baseline.FindingsIn(baseline), "clean").Verdict);
    }

    [Fact]
    public void Markers_WhenTheOutputHoldsAHostSecret_ReportTheLeak_AndATamperedFileIsFound()
    {
        var data = Directory.CreateTempSubdirectory("airlock-rt-test-").FullName;
        try
        {
            using var markers = HostMarkers.Plant(data);

            Assert.NotEmpty(markers.LeakedIn("noise " + markers.Secret + " noise"));
            Assert.NotEmpty(markers.LeakedIn(markers.EnvironmentSecret));
            Assert.Empty(markers.LeakedIn("nothing here"));
            Assert.Empty(markers.Tampered());
            File.AppendAllText(markers.Files.First(), "pwned");
            Assert.Single(markers.Tampered());
        }
        finally
        {
            // The markers remove their own directories; the data directory they were planted in is the test's.
            Directory.Delete(data, recursive: true);
        }
    }

    private static ProcessFacts Process(int pid, string userNs, int mounts, string[]? anon = null, int raw = 0) => new()
    {
        Pid = pid,
        Comm = "python3",
        RealUid = 100000,
        EffectiveUid = 100000,
        TracerPid = 0,
        Namespaces = new Dictionary<string, string> { ["user"] = userNs, ["mnt"] = "mnt:[1]" },
        Mounts = mounts,
        AnonInodes = anon ?? [],
        RawSockets = raw,
        PacketSockets = 0,
        OtherFamilySockets = 0,
    };
}
