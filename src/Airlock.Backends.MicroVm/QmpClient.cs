using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Airlock.Backends.MicroVm;

/// <summary>
/// Just enough of the QEMU Machine Protocol: one connection per call (greeting, qmp_capabilities, the
/// command), lines of JSON, asynchronous events skipped. QEMU serves one QMP client at a time, so calls are short.
/// </summary>
internal static class QmpClient
{
    public static async Task<JsonNode?> ExecuteAsync(string socketPath, string command, JsonObject? arguments = null, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeout.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        _ = await reader.ReadLineAsync(timeout.Token); // {"QMP": {...}} greeting
        await SendAsync(stream, "qmp_capabilities", null, timeout.Token);
        _ = await ReadReturnAsync(reader, "qmp_capabilities", timeout.Token);
        await SendAsync(stream, command, arguments, timeout.Token);
        return await ReadReturnAsync(reader, command, timeout.Token);
    }

    private static async Task SendAsync(Stream stream, string command, JsonObject? arguments, CancellationToken cancellationToken)
    {
        var message = new JsonObject { ["execute"] = command };
        if (arguments is not null) message["arguments"] = arguments;
        await stream.WriteAsync(Encoding.UTF8.GetBytes(message.ToJsonString() + "\n"), cancellationToken);
    }

    private static async Task<JsonNode?> ReadReturnAsync(StreamReader reader, string command, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            JsonNode? reply;
            try
            {
                reply = JsonNode.Parse(line);
            }
            catch (JsonException)
            {
                continue;
            }

            if (reply?["return"] is { } result) return result;
            if (reply?["error"]?["desc"] is { } error) throw new InvalidOperationException($"QMP {command}: {error}");
        }

        throw new IOException($"QMP {command}: QEMU closed the connection");
    }
}
