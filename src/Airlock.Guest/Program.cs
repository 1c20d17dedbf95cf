using System.Runtime.InteropServices;
using Airlock.Guest;

// airlock-agent: process 1 of every sandbox. See AgentServer for what it serves and Airlock.Guest.Protocol for the wire format.
AgentOptions? options = AgentOptions.Parse(args, out string? error);
if (options is null)
{
    Console.Error.WriteLine(error);
    return 2;
}

// Before anything else: no descriptor inherited from whoever started the agent may leak into a command.
_ = Airlock.Native.NativeProcess.MarkInheritedDescriptorsCloseOnExec();

using var stopping = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true; // we exit on our own, with status 0, after cleaning up
    stopping.Cancel();
}

using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
if (options.TtlSeconds is { } ttl)
{
    // The sandbox's whole-life limit: when pid 1 exits, the container ends.
    stopping.CancelAfter(TimeSpan.FromSeconds(ttl));
}

var log = new AgentLog(options.LogPath);
try
{
    await new AgentServer(options, log).RunAsync(stopping.Token);
    return 0;
}
catch (Exception e)
{
    log.Write($"fatal: {e}");
    return 1;
}
