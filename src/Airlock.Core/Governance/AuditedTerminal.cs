namespace Airlock.Core.Governance;

/// <summary>A terminal whose end (exit code, or none when it was closed first) is recorded once, when it is disposed.</summary>
internal sealed class AuditedTerminal(ISandboxTerminal inner, Func<int?, Task> recordEnd) : ISandboxTerminal
{
    private int _disposed;

    public Stream Input => inner.Input;

    public Stream Output => inner.Output;

    public Task ResizeAsync(int columns, int rows, CancellationToken cancellationToken = default) => inner.ResizeAsync(columns, rows, cancellationToken);

    public Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) => inner.WaitForExitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        var exit = inner.WaitForExitAsync();
        int? code = exit.IsCompletedSuccessfully ? exit.Result : null;
        await inner.DisposeAsync();
        await recordEnd(code);
    }
}
