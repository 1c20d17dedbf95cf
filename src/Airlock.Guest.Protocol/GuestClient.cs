using System.Runtime.CompilerServices;

namespace Airlock.Guest.Protocol;

/// <summary>
/// The host's side of the guest agent protocol. Transport-agnostic: <c>connect</c> opens a fresh byte
/// stream to the agent (a unix socket for runc, a virtio-serial port or vsock for a VM); one operation
/// runs per stream. Agent-reported failures surface as <see cref="AirlockException"/> of the matching kind.
/// </summary>
public sealed class GuestClient
{
    private readonly Func<CancellationToken, Task<Stream>> _connect;

    public GuestClient(Func<CancellationToken, Task<Stream>> connect)
    {
        _connect = connect;
    }

    public Task<GuestHello> PingAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Runs a command. The agent reports <c>timeout</c> kills; the host adds <c>memory</c>/<c>pids</c> from cgroup counters.</summary>
    public async IAsyncEnumerable<ExecEvent> ExecAsync(ExecRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        throw new NotImplementedException();
#pragma warning disable CS0162
        yield break;
#pragma warning restore CS0162
    }

    public Task<ProcessInfo> StartProcessAsync(ExecRequest request, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<ProcessOutput> GetProcessOutputAsync(int pid, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task SignalProcessAsync(int pid, int signal, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<Stream> ReadFileAsync(string path, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<FileEntry> WriteFileAsync(string path, Stream content, int? mode = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<IReadOnlyList<FileEntry>> ListFilesAsync(string path, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<FileEntry> StatAsync(string path, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<FileEntry> MakeDirectoryAsync(string path, bool parents, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task RemoveAsync(string path, bool recursive, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<Stream> DownloadTarAsync(string path, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task UploadTarAsync(string path, Stream tar, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}

/// <summary>The agent's answer to a ping.</summary>
public sealed record GuestHello(string Version, int Pid);
