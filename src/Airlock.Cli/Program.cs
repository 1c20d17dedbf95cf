using Airlock.Cli;
using Airlock.Cli.Infrastructure;

return await CliApp.RunAsync(args, CliConsole.System);
