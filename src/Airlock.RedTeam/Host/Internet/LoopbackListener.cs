using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Airlock.RedTeam.Host.Internet;

/// <summary>
/// A service on the host's 127.0.0.1 that a sandbox must never reach: TCP and UDP on one port, each connection and
/// datagram logged with its peer and first bytes. Holding 127.0.0.1:PORT also keeps any other program from binding
/// the wildcard address on that port, so the host-side addresses a case aims at with it can only ever reach this.
/// </summary>
internal sealed class LoopbackListener : IDisposable
{
    private readonly TcpListener _tcp;
    private readonly UdpClient _udp;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _heard = new();

    public LoopbackListener()
    {
        _tcp = new TcpListener(IPAddress.Loopback, 0);
        _tcp.Start();
        Port = ((IPEndPoint)_tcp.LocalEndpoint).Port;
        _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, Port));
        _ = AcceptAsync();
        _ = ReceiveAsync();
    }

    public int Port { get; }

    /// <summary>Every connection and datagram that arrived, in words.</summary>
    public IReadOnlyList<string> Heard => [.. _heard];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var client = await _tcp.AcceptTcpClientAsync(_stop.Token);
                var buffer = new byte[200];
                using var read = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                read.CancelAfter(TimeSpan.FromSeconds(2));
                var n = 0;
                try
                {
                    n = await client.GetStream().ReadAsync(buffer, read.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                }

                _heard.Enqueue($"TCP connection from {client.Client.RemoteEndPoint} ('{Printable(buffer, n)}')");
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
            }
        }
    }

    private async Task ReceiveAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var datagram = await _udp.ReceiveAsync(_stop.Token);
                _heard.Enqueue($"UDP datagram from {datagram.RemoteEndPoint} ('{Printable(datagram.Buffer, datagram.Buffer.Length)}')");
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
            }
        }
    }

    private static string Printable(byte[] data, int count)
    {
        var text = Encoding.Latin1.GetString(data, 0, Math.Min(count, 60));
        return new string([.. text.Select(c => char.IsControl(c) ? '.' : c)]);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _tcp.Stop();
        _udp.Dispose();
        _stop.Dispose();
    }
}
