using System.Runtime.CompilerServices;
using System.Text;
using Airlock.Core.Images;

namespace Airlock.Server.Tests;

/// <summary>
/// A stand-in engine that keeps sandboxes and files in memory, so the HTTP layer (routes, auth, errors,
/// streaming) is tested on its own. It knows nothing of isolation; real-engine tests live in Integration.
/// Exec understands a tiny script: <c>["script", "out:TEXT", "err:TEXT", "wait", "exit:N"]</c>, where
/// <c>wait</c> blocks until the test calls <see cref="Release"/>.
/// </summary>
internal sealed class InMemorySandboxOperations_ForHttpLayerTests : ISandboxOperations, IImageStore
{
    private readonly Dictionary<string, SandboxInfo> _sandboxes = [];
    private readonly Dictionary<(string Id, string Path), (byte[] Content, int Mode)> _files = [];
    private readonly object _gate = new();
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _next;

    public SandboxSpec? LastSpec { get; private set; }

    public ExecRequest? LastExec { get; private set; }

    public byte[]? LastStdin { get; private set; }

    public void Release() => _release.TrySetResult();

    public Task<SandboxInfo> CreateAsync(SandboxSpec spec, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        if (spec.Image == "missing") throw AirlockException.Invalid("image 'missing' not found; see airlock image ls");
        lock (_gate)
        {
            LastSpec = spec;
            var id = $"sb-{++_next:D4}";
            var now = DateTimeOffset.UtcNow;
            var info = new SandboxInfo
            {
                Id = id,
                State = SandboxState.Running,
                Image = spec.Image,
                Isolation = spec.Isolation == "auto" ? "container" : spec.Isolation,
                Limits = spec.Limits,
                Labels = spec.Labels,
                CreatedAt = now,
                ExpiresAt = spec.Ttl is { } ttl ? now + ttl : null,
            };
            _sandboxes[id] = info;
            return Task.FromResult(info);
        }
    }

    public Task<IReadOnlyList<SandboxInfo>> ListAsync(IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<SandboxInfo> list = _sandboxes.Values
                .Where(s => labels is null || labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
                .OrderBy(s => s.Id, StringComparer.Ordinal)
                .ToList();
            return Task.FromResult(list);
        }
    }

    public Task<SandboxInfo> GetAsync(string id, CancellationToken cancellationToken = default) => Task.FromResult(Require(id));

    public Task DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_sandboxes.Remove(id)) throw AirlockException.NotFound($"no sandbox '{id}'");
        }

        return Task.CompletedTask;
    }

    public Task<SandboxPosture> InspectAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(new SandboxPosture
        {
            Id = Require(id).Id,
            Isolation = "container",
            KernelInside = "6.0.0",
            KernelOnHost = "6.0.0",
            UidMap = "0 100000000 65536",
            GidMap = "0 100000000 65536",
            SeccompMode = 2,
            NoNewPrivileges = true,
            Capabilities = ["CHOWN"],
            Network = "loopback only",
        });

    public Task<SandboxInfo> PauseAsync(string id, CancellationToken cancellationToken = default) => SetState(id, SandboxState.Running, SandboxState.Paused);

    public Task<SandboxInfo> ResumeAsync(string id, CancellationToken cancellationToken = default) => SetState(id, SandboxState.Paused, SandboxState.Running);

    public async IAsyncEnumerable<ExecEvent> ExecStreamAsync(string id, ExecRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var info = Require(id);
        if (info.State != SandboxState.Running) throw AirlockException.Conflict($"sandbox {id} is {info.State.ToString().ToLowerInvariant()}");
        LastExec = request;
        if (request.Stdin is { } stdin)
        {
            using var buffer = new MemoryStream();
            await stdin.CopyToAsync(buffer, cancellationToken);
            LastStdin = buffer.ToArray();
        }

        if (request.Command[0] != "script")
        {
            yield return new ExecOutput(OutputStream.Stderr, Encoding.UTF8.GetBytes($"{request.Command[0]}: not found\n"));
            yield return new ExecExited(new ExecResult { ExitCode = 127 });
            yield break;
        }

        foreach (var step in request.Command.Skip(1))
        {
            if (step.StartsWith("out:", StringComparison.Ordinal)) yield return new ExecOutput(OutputStream.Stdout, Encoding.UTF8.GetBytes(step[4..]));
            else if (step.StartsWith("err:", StringComparison.Ordinal)) yield return new ExecOutput(OutputStream.Stderr, Encoding.UTF8.GetBytes(step[4..]));
            else if (step == "wait") await _release.Task.WaitAsync(cancellationToken);
            else if (step == "fail") throw AirlockException.Unavailable("the guest agent went away");
            else if (step.StartsWith("exit:", StringComparison.Ordinal))
            {
                yield return new ExecExited(new ExecResult { ExitCode = int.Parse(step[5..]), Duration = TimeSpan.FromMilliseconds(12) });
                yield break;
            }
            else if (step.StartsWith("killed:", StringComparison.Ordinal))
            {
                yield return new ExecExited(new ExecResult { ExitCode = 137, Signal = 9, KilledBy = step[7..] });
                yield break;
            }
        }
    }

    public Task<ProcessInfo> StartProcessAsync(string id, ExecRequest request, CancellationToken cancellationToken = default)
    {
        Require(id);
        return Task.FromResult(new ProcessInfo { Pid = 42, Command = request.Command, Running = true, StartedAt = DateTimeOffset.UtcNow });
    }

    public Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string id, CancellationToken cancellationToken = default)
    {
        Require(id);
        IReadOnlyList<ProcessInfo> list = [new ProcessInfo { Pid = 42, Command = ["sleep", "9"], Running = true }];
        return Task.FromResult(list);
    }

    public Task<ProcessOutput> GetProcessOutputAsync(string id, int pid, CancellationToken cancellationToken = default)
    {
        Require(id);
        if (pid != 42) throw AirlockException.NotFound($"no process {pid}");
        return Task.FromResult(new ProcessOutput(new ProcessInfo { Pid = 42, Command = ["sleep", "9"], Running = false, ExitCode = 0 }, [1, 2, 3], [4]));
    }

    public Task SignalProcessAsync(string id, int pid, int signal, CancellationToken cancellationToken = default)
    {
        Require(id);
        return pid == 42 ? Task.CompletedTask : throw AirlockException.NotFound($"no process {pid}");
    }

    public Task<Stream> ReadFileAsync(string id, string path, CancellationToken cancellationToken = default)
    {
        Require(id);
        lock (_gate)
        {
            return _files.TryGetValue((id, path), out var file)
                ? Task.FromResult<Stream>(new MemoryStream(file.Content, writable: false))
                : throw AirlockException.NotFound($"no such file: {path}");
        }
    }

    public async Task<FileEntry> WriteFileAsync(string id, string path, Stream content, int? mode = null, CancellationToken cancellationToken = default)
    {
        Require(id);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        lock (_gate)
        {
            _files[(id, path)] = (buffer.ToArray(), mode ?? 0x1A4);
        }

        return Entry(path, buffer.Length, mode ?? 0x1A4);
    }

    public Task<IReadOnlyList<FileEntry>> ListFilesAsync(string id, string path, CancellationToken cancellationToken = default)
    {
        Require(id);
        lock (_gate)
        {
            var prefix = path.TrimEnd('/') + "/";
            IReadOnlyList<FileEntry> list = _files
                .Where(f => f.Key.Id == id && f.Key.Path.StartsWith(prefix, StringComparison.Ordinal))
                .Select(f => Entry(f.Key.Path, f.Value.Content.Length, f.Value.Mode))
                .ToList();
            return Task.FromResult(list);
        }
    }

    public Task<FileEntry> StatFileAsync(string id, string path, CancellationToken cancellationToken = default)
    {
        Require(id);
        lock (_gate)
        {
            return _files.TryGetValue((id, path), out var file)
                ? Task.FromResult(Entry(path, file.Content.Length, file.Mode))
                : throw AirlockException.NotFound($"no such file: {path}");
        }
    }

    public Task<FileEntry> MakeDirectoryAsync(string id, string path, bool parents = true, CancellationToken cancellationToken = default)
    {
        Require(id);
        return Task.FromResult(Entry(path, 0, 0x1ED) with { Kind = FileKind.Directory });
    }

    public Task RemoveFileAsync(string id, string path, bool recursive = false, CancellationToken cancellationToken = default)
    {
        Require(id);
        lock (_gate)
        {
            return _files.Remove((id, path)) ? Task.CompletedTask : throw AirlockException.NotFound($"no such file: {path}");
        }
    }

    public Task<Stream> DownloadTarAsync(string id, string path, CancellationToken cancellationToken = default) => ReadFileAsync(id, path + ".tar", cancellationToken);

    public async Task UploadTarAsync(string id, string path, Stream tar, CancellationToken cancellationToken = default) =>
        await WriteFileAsync(id, path + ".tar", tar, null, cancellationToken);

    Task<string> IImageStore.GetRootfsAsync(string name, IProgress<string>? progress, CancellationToken cancellationToken) => Task.FromResult("/nonexistent");

    Task<ImageInfo> IImageStore.BuildAsync(string name, IReadOnlyList<string> packages, IProgress<string>? progress, CancellationToken cancellationToken) =>
        Task.FromResult(new ImageInfo { Name = name, Packages = packages, CreatedAt = DateTimeOffset.UtcNow, SizeBytes = 1 });

    Task<IReadOnlyList<ImageInfo>> IImageStore.ListAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ImageInfo> list = [new ImageInfo { Name = "python", Packages = ["python3"], SizeBytes = 100 }];
        return Task.FromResult(list);
    }

    Task IImageStore.RemoveAsync(string name, CancellationToken cancellationToken) =>
        name == "python" ? Task.CompletedTask : throw AirlockException.NotFound($"no image '{name}'");

    private static FileEntry Entry(string path, long size, int mode) =>
        new() { Name = Path.GetFileName(path), Path = path, Kind = FileKind.File, Size = size, Mode = mode, ModifiedAt = DateTimeOffset.UtcNow };

    private SandboxInfo Require(string id)
    {
        lock (_gate)
        {
            return _sandboxes.TryGetValue(id, out var info) ? info : throw AirlockException.NotFound($"no sandbox '{id}'; see airlock ps");
        }
    }

    private Task<SandboxInfo> SetState(string id, SandboxState from, SandboxState to)
    {
        lock (_gate)
        {
            var info = Require(id);
            if (info.State != from) throw AirlockException.Conflict($"sandbox {id} is {info.State.ToString().ToLowerInvariant()}, not {from.ToString().ToLowerInvariant()}");
            _sandboxes[id] = info = info with { State = to };
            return Task.FromResult(info);
        }
    }
}
