using Microsoft.Data.Sqlite;

namespace Airlock.Audit.Sqlite;

/// <summary>Reads <c>audit_records</c> rows as they are stored, for queries and for the verifier.</summary>
internal static class AuditRows
{
    public const string Columns = "seq, time_ms, kind, actor, outcome, sandbox, details, prev_hash, hash";

    /// <summary>The record in the current row; null details (an edited column) read as none, which the hash then exposes.</summary>
    public static AuditRecord Read(SqliteDataReader reader, out bool detailsWellFormed)
    {
        var details = AuditDetailsJson.TryParse(reader.GetString(6));
        detailsWellFormed = details is not null;
        return new AuditRecord
        {
            Sequence = reader.GetInt64(0),
            Time = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
            Event = new AuditEvent
            {
                Kind = reader.GetString(2),
                Actor = reader.GetString(3),
                Outcome = reader.GetString(4),
                SandboxId = reader.IsDBNull(5) ? null : reader.GetString(5),
                Details = details ?? new Dictionary<string, string>(),
            },
            PreviousHash = reader.GetString(7),
            Hash = reader.GetString(8),
        };
    }
}
