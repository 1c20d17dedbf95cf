using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Airlock.Audit.Sqlite;

/// <summary>The details column: a flat JSON object of strings, keys in canonical order (<see cref="AuditCanonicalForm"/>).</summary>
internal static class AuditDetailsJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Reused per appending thread: serializing is on every append's path.</summary>
    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? t_json;

    /// <summary>The details as UTF-8 JSON, keys in the order given (<see cref="AuditCanonicalForm.SortedKeys"/>).</summary>
    public static byte[] SerializeUtf8(IReadOnlyDictionary<string, string> details, IReadOnlyList<string> sortedKeys)
    {
        if (details.Count == 0) return "{}"u8.ToArray();
        if (t_json is not { } json)
        {
            var fresh = new ArrayBufferWriter<byte>(256);
            t_json = json = (fresh, new Utf8JsonWriter(fresh, WriterOptions));
        }

        json.Buffer.ResetWrittenCount();
        json.Writer.Reset(json.Buffer);
        json.Writer.WriteStartObject();
        foreach (var key in sortedKeys) json.Writer.WriteString(key, details[key]);
        json.Writer.WriteEndObject();
        json.Writer.Flush();
        return json.Buffer.WrittenSpan.ToArray();
    }

    /// <summary>The details, or null when the column is not a JSON object of strings (it was edited by hand).</summary>
    public static Dictionary<string, string>? TryParse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            var details = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String || !details.TryAdd(property.Name, property.Value.GetString()!)) return null;
            }

            return details;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
