using System.Runtime.InteropServices;

namespace Airlock.Cli.Infrastructure;

/// <summary>
/// Turns the first SIGINT/SIGTERM into a cancellation so a verb can clean up (run destroys its sandbox);
/// a second signal is left to the default action, so a stuck cleanup can still be interrupted.
/// </summary>
internal sealed class SignalCancellation : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration[] _registrations;

    public SignalCancellation()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    public CancellationToken Token => _cts.Token;

    public bool Signalled => _cts.IsCancellationRequested;

    private void Handle(PosixSignalContext context)
    {
        if (_cts.IsCancellationRequested) return; // second signal: default action (terminate)
        context.Cancel = true;
        _cts.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _cts.Dispose();
    }
}
