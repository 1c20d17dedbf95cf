using System.CommandLine;
using Airlock.Cli.Infrastructure;
using Airlock.Mcp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock mcp</c>: an MCP server on standard input and output, for MCP clients that spawn their tools. It works
/// through the embedded engine (the local user is the caller) or, with <c>--host</c>/<c>AIRLOCK_HOST</c>, through the
/// daemon with <c>AIRLOCK_TOKEN</c>, whose scopes then decide. Standard output carries nothing but the protocol.
/// </summary>
internal static class McpCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("mcp", "Serve the Model Context Protocol on stdin/stdout (embedded engine, or the daemon with --host)");
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            // The protocol owns standard output; warnings and errors go to standard error like every airlock message.
            builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddAirlockMcp(_ => new McpBackend
            {
                Sandboxes = backend.Sandboxes,
                Code = backend.Sandboxes as ICodeOperations, // the governed stage and the daemon client carry the interpreter
                Approvals = backend.Approvals,
            }).WithStreamServerTransport(context.Console.Input, context.Console.OutputStream);
            using var host = builder.Build();
            await host.RunAsync(cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }
}
