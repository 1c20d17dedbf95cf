using System.CommandLine;
using Airlock.Audit;
using Airlock.Client.Wire;

namespace Airlock.Cli.Infrastructure;

/// <summary>The filters of <c>audit query</c> and <c>audit export</c>, and their translation into an <see cref="AuditQuery"/>.</summary>
internal sealed class AuditFilterFlags
{
    public Option<string> Sandbox { get; } = new("--sandbox") { Description = "Only records of this sandbox id" };

    public Option<string> Kind { get; } = new("--kind") { Description = "Only this kind (exec, file.write...); a prefix when it ends in '.' (approval.)" };

    public Option<string> Actor { get; } = new("--actor") { Description = "Only this actor (admin, token:ID, local:USER)" };

    public Option<string> Outcome { get; } = new("--outcome") { Description = "Only this outcome: ok, denied, failed, pending, alert" };

    public Option<string> Since { get; } = new("--since") { Description = "Only records this recent (10m, 2h) or since an ISO 8601 time" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Sandbox, Kind, Actor, Outcome, Since }) command.Options.Add(option);
    }

    public AuditQuery ToQuery(ParseResult parse, DateTimeOffset now)
    {
        var outcome = parse.GetValue(Outcome);
        if (outcome is not null && !AuditOutcomes.All.Contains(outcome))
        {
            throw new UsageException($"--outcome: '{outcome}' is not an outcome; use one of {string.Join(", ", AuditOutcomes.All)}");
        }

        DateTimeOffset? since = null;
        if (parse.GetValue(Since) is { } text)
        {
            since = AuditSinceFilter.TryParse(text, now, out var value, out var error) ? value : throw new UsageException($"--since: {error}");
        }

        return new AuditQuery
        {
            SandboxId = parse.GetValue(Sandbox),
            Kind = parse.GetValue(Kind),
            Actor = parse.GetValue(Actor),
            Outcome = outcome,
            Since = since,
        };
    }
}
