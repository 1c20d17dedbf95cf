namespace Airlock.Client;

/// <summary>
/// A handle on one sandbox over any <see cref="ISandboxOperations"/> — a daemon's
/// (<see cref="AirlockClient.Operations"/>) or the embedded engine. Disposing it destroys the sandbox.
/// </summary>
public sealed class Sandbox : IAsyncDisposable
{
    private int _disposed;

    private Sandbox(ISandboxOperations operations, SandboxInfo info)
    {
        Operations = operations;
        Info = info;
        Files = new SandboxFiles(operations, info.Id);
    }

    /// <summary>The sandbox id.</summary>
    public string Id => Info.Id;

    /// <summary>What was last known of the sandbox; refreshed by <see cref="RefreshAsync"/>, pause and resume.</summary>
    public SandboxInfo Info { get; private set; }

    /// <summary>The operations this handle works through.</summary>
    public ISandboxOperations Operations { get; }

    /// <summary>Files inside the sandbox.</summary>
    public SandboxFiles Files { get; }

    /// <summary>Creates a sandbox through <paramref name="operations"/> and returns its handle.</summary>
    public static async Task<Sandbox> CreateAsync(ISandboxOperations operations, SandboxSpec spec, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(spec);
        return new Sandbox(operations, await operations.CreateAsync(spec, progress, cancellationToken));
    }

    /// <summary>A handle on an existing sandbox (disposing it destroys the sandbox).</summary>
    public static Sandbox Attach(ISandboxOperations operations, SandboxInfo info)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(info);
        return new Sandbox(operations, info);
    }

    /// <summary>
    /// Runs one cell of Python in the sandbox's stateful kernel (started on first use): variables, imports and files
    /// persist across calls. A cell that raised is a result with <see cref="CodeResult.Error"/>, not an exception;
    /// one that outlives <paramref name="timeout"/> (default 60 s) is interrupted and the kernel keeps its state.
    /// </summary>
    public Task<CodeResult> RunCodeAsync(string code, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RunCodeAsync(new CodeRequest { Code = code, Timeout = timeout }, cancellationToken);

    /// <summary>Runs one cell (see <see cref="RunCodeAsync(string, TimeSpan?, CancellationToken)"/>).</summary>
    public Task<CodeResult> RunCodeAsync(CodeRequest request, CancellationToken cancellationToken = default) =>
        CodeOperations.RunCodeAsync(Id, request, cancellationToken);

    /// <summary>Interrupts the running cell, if any (it raises <c>KeyboardInterrupt</c>); the kernel keeps its state.</summary>
    public Task InterruptCodeAsync(CancellationToken cancellationToken = default) =>
        CodeOperations.InterruptAsync(Id, CodeLanguages.Python, cancellationToken);

    /// <summary>Restarts the kernel: variables and imports are forgotten, files stay.</summary>
    public Task RestartCodeAsync(CancellationToken cancellationToken = default) =>
        CodeOperations.RestartAsync(Id, CodeLanguages.Python, cancellationToken);

    // The daemon's client and the embedded governed stage both implement the interpreter beside the sandbox operations.
    private ICodeOperations CodeOperations => Operations as ICodeOperations
        ?? throw new NotSupportedException($"{Operations.GetType().Name} has no code interpreter; use AirlockClient.Operations or the governed operations of the embedded engine");

    /// <summary>Runs a command and collects its output.</summary>
    public Task<ExecOutcome> ExecAsync(params string[] command) =>
        ExecAsync(new ExecRequest { Command = command });

    /// <summary>Runs a command and collects its output.</summary>
    public Task<ExecOutcome> ExecAsync(ExecRequest request, CancellationToken cancellationToken = default) =>
        Operations.CollectAsync(Id, request, cancellationToken);

    /// <summary>
    /// Runs <paramref name="command"/> (default: <c>/bin/bash -l</c>) on a new <paramref name="columns"/> x <paramref name="rows"/>
    /// pseudo-terminal inside the sandbox: write keystrokes to <see cref="ISandboxTerminal.Input"/>, read the screen's bytes from
    /// <see cref="ISandboxTerminal.Output"/>, resize with <see cref="ISandboxTerminal.ResizeAsync"/>. Judged and audited as an exec.
    /// </summary>
    public Task<ISandboxTerminal> OpenTerminalAsync(int columns = 80, int rows = 24, IReadOnlyList<string>? command = null, CancellationToken cancellationToken = default)
    {
        var channels = Operations as ISandboxChannels
            ?? throw AirlockException.Unavailable("these sandbox operations cannot open terminals; use a daemon's AirlockClient.Operations or the engine");
        return channels.OpenTerminalAsync(Id, new TerminalRequest { Columns = columns, Rows = rows, Command = command is { Count: > 0 } ? command : TerminalRequest.DefaultShell }, cancellationToken);
    }

    /// <summary>Exposes <paramref name="port"/> at a daemon URL guarded by its own token (a daemon only: previews live in it).</summary>
    public Task<PortPreview> ExposePortAsync(int port, TimeSpan? ttl = null, CancellationToken cancellationToken = default) =>
        Operations is HttpSandboxOperations daemon
            ? daemon.ExposePortAsync(Id, port, ttl, cancellationToken)
            : throw AirlockException.Unavailable("port previews are served by a daemon: start `airlock serve` and use AirlockClient");

    /// <summary>Closes the preview of <paramref name="port"/>.</summary>
    public Task ClosePortAsync(int port, CancellationToken cancellationToken = default) =>
        Operations is HttpSandboxOperations daemon
            ? daemon.ClosePortAsync(Id, port, cancellationToken)
            : throw AirlockException.Unavailable("port previews are served by a daemon: start `airlock serve` and use AirlockClient");

    /// <summary>Runs a command; output chunks stream as produced, then one <see cref="ExecExited"/>.</summary>
    public IAsyncEnumerable<ExecEvent> ExecStreamAsync(ExecRequest request, CancellationToken cancellationToken = default) =>
        Operations.ExecStreamAsync(Id, request, cancellationToken);

    /// <summary>Starts a background process.</summary>
    public Task<ProcessInfo> StartProcessAsync(ExecRequest request, CancellationToken cancellationToken = default) =>
        Operations.StartProcessAsync(Id, request, cancellationToken);

    /// <summary>The background processes of the sandbox.</summary>
    public Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(CancellationToken cancellationToken = default) =>
        Operations.ListProcessesAsync(Id, cancellationToken);

    /// <summary>A background process and its most recent output.</summary>
    public Task<ProcessOutput> GetProcessOutputAsync(int pid, CancellationToken cancellationToken = default) =>
        Operations.GetProcessOutputAsync(Id, pid, cancellationToken);

    /// <summary>Sends a signal (e.g. 15, SIGTERM) to a background process.</summary>
    public Task SignalProcessAsync(int pid, int signal, CancellationToken cancellationToken = default) =>
        Operations.SignalProcessAsync(Id, pid, signal, cancellationToken);

    /// <summary>Reloads <see cref="Info"/>.</summary>
    public async Task<SandboxInfo> RefreshAsync(CancellationToken cancellationToken = default) =>
        Info = await Operations.GetAsync(Id, cancellationToken);

    /// <summary>Freezes every process of the sandbox.</summary>
    public async Task<SandboxInfo> PauseAsync(CancellationToken cancellationToken = default) =>
        Info = await Operations.PauseAsync(Id, cancellationToken);

    /// <summary>Thaws a paused sandbox.</summary>
    public async Task<SandboxInfo> ResumeAsync(CancellationToken cancellationToken = default) =>
        Info = await Operations.ResumeAsync(Id, cancellationToken);

    /// <summary>Destroys the sandbox now.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        await Operations.DeleteAsync(Id, cancellationToken);
        Interlocked.Exchange(ref _disposed, 1);
    }

    /// <summary>Destroys the sandbox unless it is already gone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            await Operations.DeleteAsync(Id, CancellationToken.None);
        }
        catch (AirlockException e) when (e.Kind == AirlockErrorKind.NotFound)
        {
        }
    }
}
