using System.Net.Sockets;

namespace Airlock.Guest.Tests.Mux;

/// <summary>
/// Stands in for QEMU's virtio-serial port: the agent (<c>serve --serial</c>) holds one connection for its
/// whole life, like the guest's /dev/vport0p1; the bridge (<c>--connect</c>) connects to the chardev socket
/// and may come and go. As with QEMU, the guest's byte stream outlives host connections, and guest output
/// waits while no host is connected.
/// </summary>
public sealed class FakeSerialPort : IDisposable
{
    private readonly Socket _guestListener;
    private readonly Socket _hostListener;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private Socket? _guest;
    private Socket? _host;

    public FakeSerialPort(string guestPath, string chardevPath)
    {
        _guestListener = Listen(guestPath);
        _hostListener = Listen(chardevPath);
        _ = Task.Run(RunAsync);
    }

    /// <summary>Drops the current host connection, as when the bridge process dies.</summary>
    public void DropHost()
    {
        lock (_gate)
        {
            _host?.Dispose();
            _host = null;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        DropHost();
        _guest?.Dispose();
        _guestListener.Dispose();
        _hostListener.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            _guest = await _guestListener.AcceptAsync(_stop.Token);
            _ = Task.Run(GuestToHostAsync);
            while (true)
            {
                Socket host = await _hostListener.AcceptAsync(_stop.Token);
                lock (_gate)
                {
                    _host?.Dispose();
                    _host = host;
                }

                _ = Task.Run(() => HostToGuestAsync(host));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task HostToGuestAsync(Socket host)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await host.ReceiveAsync(buffer, _stop.Token)) > 0)
            {
                await _guest!.SendAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task GuestToHostAsync()
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await _guest!.ReceiveAsync(buffer, _stop.Token)) > 0)
            {
                while (true)
                {
                    Socket? host;
                    lock (_gate)
                    {
                        host = _host;
                    }

                    try
                    {
                        if (host is not null)
                        {
                            await host.SendAsync(buffer.AsMemory(0, n), _stop.Token);
                            break;
                        }
                    }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException)
                    {
                        // That host is gone; these bytes go to the next one, which must skip them.
                    }

                    await Task.Delay(10, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(4);
        return socket;
    }
}
