using System.CommandLine;
using Airlock.Audit;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;

namespace Airlock.Cli.Commands.Audit;

/// <summary><c>airlock audit tail [-n N] [--follow] [--json]</c>: the newest records, then (with --follow) each new one until Ctrl-C.</summary>
internal static class AuditTailVerb
{
    /// <summary>New records are polled for rather than pushed, so that --follow also sees what other processes append.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static Command Build(CliContext context)
    {
        var count = new Option<string>("-n", "--lines") { Description = "How many of the newest records (default 20)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new records until interrupted" };
        var json = new Option<bool>("--json") { Description = "One JSON object a line (the export format)" };
        var command = new Command("tail", "Print the newest audit records") { count, follow, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var n = FlagParsing.PositiveInt("-n", parse.GetValue(count)) ?? 20;
            using var source = AuditSource.Open(parse);
            using var signals = new SignalCancellation();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, signals.Token);
            Func<AuditRecord, string> format = parse.GetValue(json) ? AuditJsonLines.Format : AuditText.Line;
            var last = 0L;
            foreach (var record in await source.QueryAsync(new AuditQuery { Newest = true, Limit = Math.Min(n, 10_000) }, cancellationToken))
            {
                await context.Console.Output.WriteLineAsync(format(record));
                last = record.Sequence;
            }

            if (!parse.GetValue(follow)) return ExitCodes.Ok;
            try
            {
                while (true)
                {
                    await context.Console.Output.FlushAsync(stop.Token);
                    await Task.Delay(PollInterval, stop.Token);
                    await foreach (var record in AuditJsonLines.ReadAllAsync(source.QueryAsync, new AuditQuery { AfterSequence = last }, stop.Token))
                    {
                        await context.Console.Output.WriteLineAsync(format(record));
                        last = record.Sequence;
                    }
                }
            }
            catch (OperationCanceledException) when (signals.Signalled)
            {
                return ExitCodes.Ok;
            }
        });
        return command;
    }
}
