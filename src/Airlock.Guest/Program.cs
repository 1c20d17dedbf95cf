using System.Runtime.InteropServices;
using Airlock.Guest;
using Airlock.Guest.Bridge;

// airlock-agent: process 1 of every sandbox (serve), or on the host the per-sandbox bridge that carries the
// host's per-operation connections over a microVM's or gVisor sandbox's single stream (bridge), or the step of a
// microVM's launch that hands QEMU its tap device (tap-exec), or the step of a gVisor sandbox's launch that puts runsc in
// the sandbox's cgroups and namespaces (runsc-exec).
// See AgentServer and HostBridge for what they serve, Airlock.Guest.Protocol for the wire formats.
if (args is ["tap-exec", ..]) return TapLauncher.Run(args);
if (args is ["runsc-exec", ..]) return RunscLauncher.Run(args);

bool bridge = args is ["bridge", ..];
AgentOptions? options = null;
BridgeOptions? bridgeOptions = null;
string? error;
if (bridge)
{
    bridgeOptions = BridgeOptions.Parse(args, out error);
}
else
{
    options = AgentOptions.Parse(args, out error);
}

if (options is null && bridgeOptions is null)
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
if (options?.TtlSeconds is { } ttl)
{
    // The sandbox's whole-life limit: when pid 1 exits, the container ends.
    stopping.CancelAfter(TimeSpan.FromSeconds(ttl));
}

var log = new AgentLog(bridgeOptions is not null ? bridgeOptions.LogPath : options!.LogPath);
var serving = ServeAsync();

// The main thread has nothing more to do. An awaiting Main would park it through Task.Wait, which first spins
// (~25 sched_yield and as many clock reads): inside gVisor each one a trapped system call, made just as the first
// request arrives. The task's wait handle blocks in the kernel at once.
((IAsyncResult)serving).AsyncWaitHandle.WaitOne();
try
{
    serving.GetAwaiter().GetResult();
    return 0;
}
catch (Exception e)
{
    log.Write($"fatal: {e}");
    return 1;
}

async Task ServeAsync()
{
    if (bridgeOptions is not null)
    {
        await new HostBridge(bridgeOptions, log).RunAsync(stopping.Token);
    }
    else
    {
        await new AgentServer(options!, log).RunAsync(stopping.Token);
    }
}
