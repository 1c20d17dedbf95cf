using System.Net.Sockets;
using Airlock.Core.Backends;
using Airlock.Oci;

namespace Airlock.Backends.Runc;

/// <summary>What every OCI-runtime tier (runc, runsc) does the same way: reach the agent's socket, read the container's state.</summary>
internal static class OciSandboxChannel
{
    /// <summary>A new connection to the agent's socket on the sandbox's quota disk (one per operation).</summary>
    public static async Task<Stream> ConnectAgentAsync(SandboxLayout layout, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(layout.AgentSocket), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The OCI runtime's status words, in the backend seam's terms.</summary>
    public static async Task<BackendState> GetStateAsync(OciRuntime runtime, SandboxLayout layout, CancellationToken cancellationToken)
    {
        var state = await runtime.StateAsync(layout.ContainerId, cancellationToken);
        return state?.Status switch
        {
            null => BackendState.Missing,
            "creating" or "created" => BackendState.Creating,
            "running" => BackendState.Running,
            "paused" or "pausing" => BackendState.Paused,
            _ => BackendState.Stopped,
        };
    }
}
