using System.Text;
using System.Text.Json;
using Airlock.Audit;
using Airlock.Core.Network;
using Airlock.RedTeam.Host.Internet;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Network;

/// <summary>
/// A network attack: a sandbox of the battery's own engine (its gateways resolve the <c>.test</c> names to the
/// battery's internet) with <c>network.allow: [pkgs.test]</c> (or the case's policy) runs a script that first
/// reaches pkgs.test (the control) and then tries its way around the gateway. Every destination is a listener of
/// the battery: its internet, its 127.0.0.1 listener, its daemon, a neighbour sandbox it created. The verdict is
/// <see cref="NetworkJudge"/>'s, from what those listeners and the audit trail saw. Every tier runs them (the microvm
/// tier's NIC is wired to the same gateway).
/// </summary>
internal sealed class NetworkAttack : IAttackCase
{
    public const string AllowPkgs = "network: { allow: [ \"pkgs.test\" ] }\n";

    public string Category { get; init; } = Categories.Network;

    public bool NeedsInternet => true;

    public required string Name { get; init; }

    public required string Attempts { get; init; }

    public required Func<NetworkScene, string> Script { get; init; }

    /// <summary>Refusals the gateway must record (proof the attempts reached it).</summary>
    public Func<NetworkScene, IReadOnlyList<(string What, Func<IReadOnlyDictionary<string, string>, bool> Match)>> Denials { get; init; } = _ => [];

    public IReadOnlyList<string> Alerts { get; init; } = [];

    /// <summary>A reason the case cannot be judged on this host (nothing to aim at), checked before anything runs.</summary>
    public Func<BatteryInternet, string?> Precondition { get; init; } = _ => null;

    public bool Neighbour { get; init; }

    public bool Loopback { get; init; }

    /// <summary>A secret (from a host file) whose placeholder the sandbox gets and that only api.test may receive.</summary>
    public bool Secret { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var rig = context.Environment.Network;
        if (rig.Internet is not { } internet) return Judgement.Inconclusive(rig.Failure ?? "no internet");
        if (Precondition(internet) is { } unable) return Judgement.Inconclusive(unable);
        var admin = context.Environment.Admin.Operations;
        var real = "sk_live_" + Guid.NewGuid().ToString("N");
        var policy = AllowPkgs;
        if (Secret)
        {
            var file = Path.Combine(context.Environment.Paths.DataDirectory, $"secret-{context.Nonce}");
            File.WriteAllText(file, real);
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            policy = $"network: {{ allow: [ \"pkgs.test\", \"api.test\" ] }}\nsecrets:\n  STRIPE_KEY: {{ from: \"file:{file}\", hosts: [ \"api.test\" ] }}\n";
        }

        var attacker = await context.CreateDaemonSandboxAsync(policy, cancellationToken);

        await WriteAsync(admin, attacker.Id, "/tmp/ca.pem", internet.CaPem, cancellationToken);
        await WriteAsync(admin, attacker.Id, "/tmp/net.py", NetworkScene.NetPy, cancellationToken);
        var lease = NetworkLeasePool.Find(attacker.Id, context.Environment.Paths.DataDirectory)
            ?? throw new InvalidOperationException($"sandbox {attacker.Id} has no network lease");
        var scene = new NetworkScene(internet, context.Nonce, lease.HostAddress.ToString(), context.Environment.DaemonUrl.Port);
        NeighbourListener? neighbour = null;
        if (Neighbour)
        {
            neighbour = await NeighbourListener.StartAsync(context, scene, cancellationToken);
            scene = scene with { Neighbour = neighbour.Address };
        }

        using var loopback = Loopback ? new LoopbackListener() : null;
        if (loopback is not null) scene = scene with { LoopbackPort = loopback.Port };
        var arrivalsMark = internet.Mark();
        var countersBefore = await internet.CountersAsync();
        var apiMark = rig.ApiRequests.Mark();

        var run = await context.RunAsync(attacker.Id, ["sh", "-c", scene.Prelude + Script(scene)], Timeout, cancellationToken, operations: admin);

        var expected = new NetworkExpectations
        {
            AllowedHosts = Secret ? new Dictionary<string, string> { ["pkgs.test"] = internet.Pkgs, ["api.test"] = internet.Api } : new Dictionary<string, string> { ["pkgs.test"] = internet.Pkgs },
            ControlPath = scene.ControlPath,
            RequiredDenials = Denials(scene),
            RequiredAlerts = Alerts,
            Nonce = context.Nonce,
        };
        if (Secret) expected = WithSecrets(expected, context, attacker.Id, real, internet.Api);
        var audit = await AuditAsync(context, attacker.Id, expected, cancellationToken);
        var countersAfter = await internet.CountersAsync();
        var evidence = new NetworkEvidence
        {
            Arrivals = [.. internet.Arrivals(arrivalsMark).Select(Arrival.From)],
            Counters = countersAfter.ToDictionary(kv => kv.Key, kv => kv.Value - countersBefore.GetValueOrDefault(kv.Key)),
            Audit = audit,
            ApiRequests = rig.ApiRequests.Since(apiMark),
            LoopbackHeard = loopback?.Heard ?? [],
            NeighbourHeard = neighbour is null ? [] : await neighbour.HeardAsync(cancellationToken),
        };
        if (neighbour is { ControlHeard: false }) return Judgement.Inconclusive("the neighbour's listener did not hear its own control connection");
        var judgement = NetworkJudge.Judge(evidence, expected);
        if (run.Result is null && judgement.Verdict == Verdict.Contained) return Judgement.Inconclusive($"the attack did not finish: {run.Describe()}");
        return judgement with { Evidence = judgement.Evidence + $"; inside: {run.Describe()}" };
    }

    /// <summary>The real value (only api.test may get it), the placeholder and the canaries, as the host's gateway.json holds them.</summary>
    private static NetworkExpectations WithSecrets(NetworkExpectations expected, CaseContext context, string id, string real, string apiAddress)
    {
        var config = JsonSerializer.Deserialize(File.ReadAllText(EgressDirectory.For(context.Environment.Paths, id).Config), GatewayConfigJson.Default.GatewayConfig)!;
        var secrets = new List<(string, string, string?)> { (real, "the secret's real value", apiAddress) };
        secrets.AddRange(config.Canaries.Select((c, i) => (c, $"canary #{i + 1}", (string?)null)));
        return expected with
        {
            Secrets = secrets,
            Placeholders = [.. config.Secrets.Select(s => (s.Placeholder, $"{s.Name}'s placeholder"))],
        };
    }

    /// <summary>The sandbox's audit events, waiting a little for the gateway's records (written as connections end).</summary>
    private static async Task<IReadOnlyList<AuditEvent>> AuditAsync(CaseContext context, string id, NetworkExpectations expected, CancellationToken cancellationToken)
    {
        IReadOnlyList<AuditEvent> events = [];
        for (var i = 0; i < 20; i++)
        {
            events = [.. (await context.Environment.Admin.Audit.QueryAsync(new AuditQuery { SandboxId = id, Limit = 10_000 }, cancellationToken)).Select(r => r.Event)];
            var denied = events.Where(e => e.Kind == "network.decision" && e.Details.GetValueOrDefault("decision") == "denied").Select(e => e.Details).ToList();
            var complete = expected.RequiredDenials.All(r => denied.Any(d => r.Match(d)))
                && expected.RequiredAlerts.All(a => events.Any(e => e.Kind == "anomaly" && e.Details.GetValueOrDefault("reason") == a));
            if (complete && i >= 2) break;
            await Task.Delay(500, cancellationToken);
        }

        return events;
    }

    internal static async Task WriteAsync(ISandboxOperations operations, string id, string path, string text, CancellationToken cancellationToken)
    {
        await using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
        await operations.WriteFileAsync(id, path, content, cancellationToken: cancellationToken);
    }
}
