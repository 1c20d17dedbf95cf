using System.Buffers;
using System.Text.Json;

namespace Airlock.Client.Wire;

/// <summary>
/// The NDJSON lines of <c>POST /v1/sandboxes/{id}/exec</c>: <c>{"type":"stdout"|"stderr","data":base64}</c>
/// as output is produced, then one <c>{"type":"exit",...}</c>. A failure after the stream started (the
/// status line is already sent) arrives as <c>{"type":"error","status":503,"detail":"..."}</c>.
/// </summary>
internal static class ExecWire
{
    public static byte[] Line(ExecEvent execEvent)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            switch (execEvent)
            {
                case ExecOutput output:
                    json.WriteString("type", output.Stream == OutputStream.Stderr ? "stderr" : "stdout");
                    json.WriteBase64String("data", output.Data.Span);
                    break;
                case ExecExited exited:
                    json.WriteString("type", "exit");
                    json.WriteNumber("exitCode", exited.Result.ExitCode);
                    if (exited.Result.Signal is { } signal) json.WriteNumber("signal", signal);
                    else json.WriteNull("signal");
                    if (exited.Result.KilledBy is { } killedBy) json.WriteString("killedBy", killedBy);
                    else json.WriteNull("killedBy");
                    json.WriteNumber("durationMs", (long)exited.Result.Duration.TotalMilliseconds);
                    break;
                default:
                    throw new ArgumentException($"unknown exec event {execEvent.GetType().Name}", nameof(execEvent));
            }

            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] ErrorLine(AirlockErrorKind kind, string detail)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            var (type, _, status) = WireFormat.Describe(kind);
            json.WriteStartObject();
            json.WriteString("type", "error");
            json.WriteString("problemType", type);
            json.WriteNumber("status", status);
            json.WriteString("detail", detail);
            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses one line; an error line is thrown as the <see cref="AirlockException"/> it describes.</summary>
    public static ExecEvent Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        var type = root.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (type)
        {
            case "stdout":
            case "stderr":
                return new ExecOutput(type == "stderr" ? OutputStream.Stderr : OutputStream.Stdout, root.GetProperty("data").GetBytesFromBase64());
            case "exit":
                return new ExecExited(new ExecResult
                {
                    ExitCode = root.GetProperty("exitCode").GetInt32(),
                    Signal = root.TryGetProperty("signal", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt32() : null,
                    KilledBy = root.TryGetProperty("killedBy", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null,
                    Duration = root.TryGetProperty("durationMs", out var d) && d.ValueKind == JsonValueKind.Number ? TimeSpan.FromMilliseconds(d.GetInt64()) : TimeSpan.Zero,
                });
            case "error":
                var kind = root.TryGetProperty("problemType", out var pt) && pt.GetString() is { } problemType
                    ? WireFormat.KindOf(problemType)
                    : WireFormat.KindOf(root.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.Number ? st.GetInt32() : 500);
                var detail = root.TryGetProperty("detail", out var de) ? de.GetString() : null;
                throw new AirlockException(kind, detail ?? "the command failed on the daemon");
            default:
                throw new AirlockException(AirlockErrorKind.Internal, $"the daemon sent an exec event of unknown type '{type}'");
        }
    }
}
