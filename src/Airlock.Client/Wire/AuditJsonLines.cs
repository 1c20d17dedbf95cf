using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Airlock.Audit;

namespace Airlock.Client.Wire;

/// <summary>
/// The export format of the audit trail (<c>GET /v1/audit/export</c>, <c>airlock audit export</c>): JSON Lines, one
/// record per line, flat snake_case fields a SIEM maps without a schema: <c>seq, time</c> (ISO 8601 UTC,
/// milliseconds), <c>kind, actor, outcome, sandbox</c> (null when none), <c>details</c> (object of strings),
/// <c>prev_hash, hash</c>. Together with the canonical form documented on the server's <c>AuditCanonicalForm</c>,
/// a line holds everything needed to recompute its hash.
/// </summary>
internal static class AuditJsonLines
{
    public const string ContentType = "application/x-ndjson";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Format(AuditRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("seq", record.Sequence);
            json.WriteString("time", Time(record.Time));
            json.WriteString("kind", record.Event.Kind);
            json.WriteString("actor", record.Event.Actor);
            json.WriteString("outcome", record.Event.Outcome);
            if (record.Event.SandboxId is { } sandbox) json.WriteString("sandbox", sandbox);
            else json.WriteNull("sandbox");
            json.WriteStartObject("details");
            foreach (var (key, value) in record.Event.Details.OrderBy(d => d.Key, StringComparer.Ordinal)) json.WriteString(key, value);
            json.WriteEndObject();
            json.WriteString("prev_hash", record.PreviousHash);
            json.WriteString("hash", record.Hash);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>ISO 8601 in UTC with milliseconds, the precision records are kept at.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Every record matching <paramref name="query"/> from <paramref name="page"/>, a page at a time by sequence number (each page one query, so no lock is held between pages).</summary>
    public static async IAsyncEnumerable<AuditRecord> ReadAllAsync(
        Func<AuditQuery, CancellationToken, Task<IReadOnlyList<AuditRecord>>> page,
        AuditQuery query,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = query with { Newest = false, Limit = 1000 };
        while (true)
        {
            var records = await page(next, cancellationToken);
            foreach (var record in records) yield return record;
            if (records.Count < next.Limit) yield break;
            next = next with { AfterSequence = records[^1].Sequence };
        }
    }
}
