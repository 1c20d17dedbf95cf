using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Airlock.Egress.Tests;

/// <summary>
/// A server of the test's own internet on a 127.0.0.x address: HTTP (or HTTPS with a test-CA certificate) that records
/// every request it receives, or a raw TCP echo. <c>/bytes/N</c> answers N bytes; anything else names the origin.
/// </summary>
internal sealed class TestOrigin : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly X509Certificate2? _certificate;
    private readonly bool _echo;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private TestOrigin(string name, IPAddress address, X509Certificate2? certificate, bool echo)
    {
        Name = name;
        _certificate = certificate;
        _echo = echo;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen(64);
        _loop = Task.Run(AcceptAsync);
    }

    public string Name { get; }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public ConcurrentQueue<string> Requests { get; } = new();

    public static TestOrigin Http(string name, IPAddress address) => new(name, address, null, false);

    public static TestOrigin Https(string name, IPAddress address) => new(name, address, TestCertificates.Server(name), false);

    public static TestOrigin Echo(string name, IPAddress address) => new(name, address, null, true);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await _listener.AcceptAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(client));
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        try
        {
            Stream stream = new NetworkStream(client, ownsSocket: false);
            if (_echo)
            {
                await stream.CopyToAsync(stream, _stop.Token);
                return;
            }

            if (_certificate is not null)
            {
                var tls = new SslStream(stream);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                stream = tls;
            }

            var head = await ReadHeadAsync(stream);
            var length = head.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                .Select(p => int.Parse(p[1].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();
            var body = new byte[length];
            await stream.ReadExactlyAsync(body, _stop.Token);
            Requests.Enqueue(head + Encoding.UTF8.GetString(body));
            var path = head.Split(' ')[1];
            if (path.StartsWith("/bytes/", StringComparison.Ordinal))
            {
                var count = long.Parse(path["/bytes/".Length..], CultureInfo.InvariantCulture);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {count}\r\nConnection: close\r\n\r\n"), _stop.Token);
                var chunk = new byte[64 * 1024];
                for (var sent = 0L; sent < count; sent += chunk.Length)
                {
                    await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, count - sent)), _stop.Token);
                }
            }
            else
            {
                var text = Encoding.UTF8.GetBytes($"{Name} {head.Split(' ')[0]} {path}");
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {text.Length}\r\nConnection: close\r\n\r\n"), _stop.Token);
                await stream.WriteAsync(text, _stop.Token);
            }

            await stream.FlushAsync(_stop.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            // A refused or aborted test connection.
        }
    }

    private async Task<string> ReadHeadAsync(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 4 || bytes[^4] != '\r' || bytes[^3] != '\n' || bytes[^2] != '\r' || bytes[^1] != '\n')
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0) throw new IOException("closed before the head ended");
            bytes.Add(one[0]);
        }

        return Encoding.Latin1.GetString(bytes.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _loop;
        _stop.Dispose();
        _certificate?.Dispose();
    }
}
