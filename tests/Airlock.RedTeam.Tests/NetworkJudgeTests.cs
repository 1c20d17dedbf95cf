using System.Text.Json;
using Airlock.Audit;
using Airlock.RedTeam.Cases.Network;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Tests;

/// <summary>The network judge says "escaped" on host evidence of an escape, and never "contained" without its control.</summary>
[Collection("redteam")]
public sealed class NetworkJudgeTests
{
    private static readonly NetworkExpectations Expected = new()
    {
        AllowedHosts = new Dictionary<string, string> { ["pkgs.test"] = "198.18.9.2" },
        ControlPath = "/control-n1",
        Nonce = "n1",
        RequiredDenials = [("a denial of other.test", d => d.GetValueOrDefault("host") == "other.test")],
    };

    [Fact]
    public void Judge_WhenARequestReachedTheDeniedHost_SaysEscaped()
    {
        var verdict = NetworkJudge.Judge(Evidence(Control, Http("198.18.9.3", "other.test", "/exfil")), Expected);

        Assert.Equal(Verdict.Escaped, verdict.Verdict);
        Assert.Contains("198.18.9.3", verdict.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_WhenPlainHttpFrontsForADeniedHostOnTheAllowedAddress_SaysEscaped() =>
        Assert.Equal(Verdict.Escaped, NetworkJudge.Judge(Evidence(Control, Http("198.18.9.2", "other.test", "/front")), Expected).Verdict);

    [Fact]
    public void Judge_WhenTheGatewayAllowedADeniedName_OrAPacketWasRouted_SaysEscaped()
    {
        var allowed = Evidence(Control) with { Audit = [Decision("allowed", "other.test"), Decision("denied", "other.test")] };
        var routed = Evidence(Control) with { Counters = new Dictionary<string, long> { ["from_sandboxes"] = 1 } };

        Assert.Equal(Verdict.Escaped, NetworkJudge.Judge(allowed, Expected).Verdict);
        Assert.Equal(Verdict.Escaped, NetworkJudge.Judge(routed, Expected).Verdict);
    }

    [Fact]
    public void Judge_WhenASecretArrivesAwayFromItsHost_OrTheDaemonHeardTheNonce_SaysEscaped()
    {
        var secret = Expected with { Secrets = [("sk_live_x", "the real value", "198.18.9.4")] };
        var leaked = Evidence(Control, Http("198.18.9.2", "pkgs.test", "/leak?k=sk_live_x"));
        var api = Evidence(Control) with { ApiRequests = ["127.0.0.1 GET /health?rt=n1 n1"] };

        Assert.Equal(Verdict.Escaped, NetworkJudge.Judge(leaked, secret).Verdict);
        Assert.Equal(Verdict.Escaped, NetworkJudge.Judge(api, Expected).Verdict);
    }

    [Fact]
    public void Judge_WithoutTheControlOrTheRefusals_IsInconclusive_AndWithBothContained()
    {
        Assert.Equal(Verdict.Inconclusive, NetworkJudge.Judge(Evidence() with { Audit = [Decision("denied", "other.test")] }, Expected).Verdict);
        Assert.Equal(Verdict.Inconclusive, NetworkJudge.Judge(Evidence(Control), Expected).Verdict);
        Assert.Equal(Verdict.Contained, NetworkJudge.Judge(Evidence(Control) with { Audit = [Decision("denied", "other.test")] }, Expected).Verdict);
    }

    private static readonly Arrival Control = Http("198.18.9.2", "pkgs.test", "/control-n1", "https", "pkgs.test");

    private static Arrival Http(string local, string host, string path, string kind = "http", string sni = "") =>
        Arrival.From(JsonDocument.Parse(JsonSerializer.Serialize(new { kind, local, host, sni, path })).RootElement);

    private static NetworkEvidence Evidence(params Arrival[] arrivals) => new()
    {
        Arrivals = arrivals,
        Counters = new Dictionary<string, long> { ["from_sandboxes"] = 0, ["pings"] = 0, ["ipv6"] = 0 },
        Audit = [],
    };

    private static AuditEvent Decision(string decision, string host) => new()
    {
        Kind = "network.decision",
        Actor = "egress",
        SandboxId = "s1",
        Details = new Dictionary<string, string> { ["decision"] = decision, ["host"] = host, ["via"] = "proxy", ["rule"] = "r" },
    };
}
