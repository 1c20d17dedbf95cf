using System.Runtime.InteropServices;
using Airlock.Native;

namespace Airlock.Cli.Infrastructure;

/// <summary>
/// The terminal `airlock shell` runs in: raw mode while attached (keys, ^C included, go to the sandbox as typed),
/// SIGWINCH forwarded as a resize, and the original modes put back on the way out, whatever happens. With a
/// non-terminal stdin nothing is changed and bytes are relayed as they are.
/// </summary>
internal sealed class LocalTerminal : IDisposable
{
    private const int Stdin = 0;
    private const int Stdout = 1;

    private readonly byte[] _saved = new byte[NativeTerminal.TermiosSize];
    private readonly bool _raw;
    private PosixSignalRegistration? _resize;

    public LocalTerminal()
    {
        IsTerminal = NativeTerminal.IsTerminal(Stdin);
        _raw = IsTerminal && NativeTerminal.MakeRaw(Stdin, _saved) == 0;
    }

    public bool IsTerminal { get; }

    /// <summary>The window size (of stdout, else stdin), or 80x24 when neither is a terminal.</summary>
    public static (int Columns, int Rows) Size() =>
        NativeTerminal.TryGetWindowSize(Stdout, out var c, out var r) || NativeTerminal.TryGetWindowSize(Stdin, out c, out r)
            ? (c, r)
            : (80, 24);

    /// <summary>Calls <paramref name="resized"/> with the new size after each SIGWINCH.</summary>
    public void OnResize(Action<int, int> resized)
    {
        _resize = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ =>
        {
            var (columns, rows) = Size();
            resized(columns, rows);
        });
    }

    public void Dispose()
    {
        _resize?.Dispose();
        if (_raw) _ = NativeTerminal.Restore(Stdin, _saved);
    }
}
