using Microsoft.Data.Sqlite;

namespace Airlock.Audit.Sqlite;

/// <summary>Turns an <see cref="AuditQuery"/> into one SELECT over <c>audit_records</c>.</summary>
internal static class AuditQuerySql
{
    /// <summary>A page larger than this is cut: a caller wanting everything pages with <see cref="AuditQuery.AfterSequence"/>.</summary>
    public const int MaxLimit = 10_000;

    public static IReadOnlyList<AuditRecord> Run(SqliteConnection connection, AuditQuery query)
    {
        using var command = connection.CreateCommand();
        var where = new List<string>();
        if (!string.IsNullOrEmpty(query.SandboxId))
        {
            where.Add("sandbox = $sandbox");
            command.Parameters.AddWithValue("$sandbox", query.SandboxId);
        }

        if (!string.IsNullOrEmpty(query.Kind))
        {
            // "approval." is a prefix; substr keeps it literal where LIKE would treat _ and % as wildcards.
            where.Add(query.Kind.EndsWith('.') ? "substr(kind, 1, length($kind)) = $kind" : "kind = $kind");
            command.Parameters.AddWithValue("$kind", query.Kind);
        }

        if (!string.IsNullOrEmpty(query.Actor))
        {
            where.Add("actor = $actor");
            command.Parameters.AddWithValue("$actor", query.Actor);
        }

        if (!string.IsNullOrEmpty(query.Outcome))
        {
            where.Add("outcome = $outcome");
            command.Parameters.AddWithValue("$outcome", query.Outcome);
        }

        if (query.AfterSequence is { } after)
        {
            where.Add("seq > $after");
            command.Parameters.AddWithValue("$after", after);
        }

        if (query.Since is { } since)
        {
            where.Add("time_ms >= $since");
            command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        }

        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, MaxLimit));
        var filter = where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "";
        command.CommandText = $"SELECT {AuditRows.Columns} FROM audit_records{filter} ORDER BY seq {(query.Newest ? "DESC" : "ASC")} LIMIT $limit";

        var records = new List<AuditRecord>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) records.Add(AuditRows.Read(reader, out _));
        }

        if (query.Newest) records.Reverse();
        return records;
    }
}
