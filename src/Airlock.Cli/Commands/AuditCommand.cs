using System.CommandLine;
using Airlock.Cli.Commands.Audit;
using Airlock.Cli.Infrastructure;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock audit tail | query | export | verify</c>: the hash-chained audit trail, from <c>{data}/audit.db</c> or a daemon (<c>--host</c>).</summary>
internal static class AuditCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("audit", "Read, export and verify the tamper-evident audit trail");
        command.Subcommands.Add(AuditTailVerb.Build(context));
        command.Subcommands.Add(AuditQueryVerb.Build(context));
        command.Subcommands.Add(AuditExportVerb.Build(context));
        command.Subcommands.Add(AuditVerifyVerb.Build(context));
        return command;
    }
}
