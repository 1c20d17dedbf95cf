namespace Airlock;

/// <summary>
/// Everything a caller can do with sandboxes. The embedded engine implements it directly; the
/// HTTP client implements it against a daemon; the CLI and the SDK's <c>Sandbox</c> handle work on either.
/// Errors are <see cref="AirlockException"/> with a kind that maps to an HTTP status and a CLI exit code.
/// </summary>
public interface ISandboxOperations
{
    Task<SandboxInfo> CreateAsync(SandboxSpec spec, IProgress<string>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Sandboxes whose labels contain every pair of <paramref name="labels"/>.</summary>
    Task<IReadOnlyList<SandboxInfo>> ListAsync(IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default);

    Task<SandboxInfo> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Destroys the sandbox and everything it holds on the host. Unknown ids are NotFound.</summary>
    Task DeleteAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The isolation facts of a running sandbox, read from inside it.</summary>
    Task<SandboxPosture> InspectAsync(string id, CancellationToken cancellationToken = default);

    Task<SandboxInfo> PauseAsync(string id, CancellationToken cancellationToken = default);

    Task<SandboxInfo> ResumeAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Runs a command; output chunks stream as produced, then one <see cref="ExecExited"/>.</summary>
    IAsyncEnumerable<ExecEvent> ExecStreamAsync(string id, ExecRequest request, CancellationToken cancellationToken = default);

    Task<ProcessInfo> StartProcessAsync(string id, ExecRequest request, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string id, CancellationToken cancellationToken = default);

    Task<ProcessOutput> GetProcessOutputAsync(string id, int pid, CancellationToken cancellationToken = default);

    Task SignalProcessAsync(string id, int pid, int signal, CancellationToken cancellationToken = default);

    /// <summary>Opens a file inside the sandbox for reading. The caller disposes the stream.</summary>
    Task<Stream> ReadFileAsync(string id, string path, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces a file inside the sandbox with the content of <paramref name="content"/>.</summary>
    Task<FileEntry> WriteFileAsync(string id, string path, Stream content, int? mode = null, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<FileEntry>> ListFilesAsync(string id, string path, CancellationToken cancellationToken = default);

    Task<FileEntry> StatFileAsync(string id, string path, CancellationToken cancellationToken = default);

    Task<FileEntry> MakeDirectoryAsync(string id, string path, bool parents = true, CancellationToken cancellationToken = default);

    Task RemoveFileAsync(string id, string path, bool recursive = false, CancellationToken cancellationToken = default);

    /// <summary>A tar stream of <paramref name="path"/> (a file or a directory tree); symlinks are stored, never followed.</summary>
    Task<Stream> DownloadTarAsync(string id, string path, CancellationToken cancellationToken = default);

    /// <summary>Extracts a tar stream into the directory <paramref name="path"/>; entries that would leave it are refused.</summary>
    Task UploadTarAsync(string id, string path, Stream tar, CancellationToken cancellationToken = default);
}
