using System.Text;
using Airlock.Guest.Protocol;

namespace Airlock.Guest.Tests;

internal sealed record ExecCapture(string Stdout, string Stderr, ExecResult Result, List<ExecEvent> Events)
{
    public static async Task<ExecCapture> RunAsync(GuestClient client, ExecRequest request, CancellationToken cancellationToken = default)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var events = new List<ExecEvent>();
        ExecResult? result = null;
        await foreach (ExecEvent e in client.ExecAsync(request, cancellationToken))
        {
            events.Add(e);
            switch (e)
            {
                case ExecOutput { Stream: OutputStream.Stdout } o:
                    stdout.Append(Encoding.UTF8.GetString(o.Data.Span));
                    break;
                case ExecOutput o:
                    stderr.Append(Encoding.UTF8.GetString(o.Data.Span));
                    break;
                case ExecExited x:
                    result = x.Result;
                    break;
            }
        }

        return new ExecCapture(stdout.ToString(), stderr.ToString(), result ?? throw new InvalidOperationException("no exit event"), events);
    }

    public static Task<ExecCapture> RunAsync(GuestClient client, params string[] command) =>
        RunAsync(client, new ExecRequest { Command = command });
}
