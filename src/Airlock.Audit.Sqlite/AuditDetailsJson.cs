using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Airlock.Audit.Sqlite;

/// <summary>The details column: a flat JSON object of strings, keys in canonical order (<see cref="AuditCanonicalForm"/>).</summary>
internal static class AuditDetailsJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(IReadOnlyDictionary<string, string> details)
    {
        if (details.Count == 0) return "{}";
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var key in AuditCanonicalForm.SortedKeys(details)) writer.WriteString(key, details[key]);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
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
