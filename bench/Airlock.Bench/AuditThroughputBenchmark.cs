using System.Diagnostics;
using Airlock.Audit;
using Airlock.Audit.Sqlite;
using Microsoft.Data.Sqlite;

namespace Airlock.Bench;

/// <summary>
/// Audit append throughput: many concurrent producers through <see cref="SqliteAuditLog"/> (queue, batch, hash,
/// one fsynced transaction per batch, checkpoints) beside the ceiling of the same rows written by plain SQLite
/// INSERTs in one transaction (no hashing, no queue, one fsync), both on this disk in the same run. A third figure
/// shows what batching avoids: one fsynced transaction per record.
/// </summary>
internal static class AuditThroughputBenchmark
{
    private const double TargetEventsPerSecond = 50_000;

    private const int Rounds = 3;

    public static async Task<IReadOnlyList<ResultRow>> RunAsync(string dataDir, int events, int producers)
    {
        // Rounds alternate, and each figure is the median of its rounds, so load that drifts (other builds on
        // the machine) hits both sides.
        var plainRounds = new List<double>();
        var auditRounds = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            plainRounds.Add(PlainInserts(Path.Combine(dataDir, $"plain-{round}.db"), events, perRowCommit: false));
            auditRounds.Add(await AuditAppendsAsync(Path.Combine(dataDir, $"audit-{round}"), events, producers));
        }

        var plain = Stats.Median(plainRounds);
        var audit = Stats.Median(auditRounds);
        var perRow = PlainInserts(Path.Combine(dataDir, "per-row.db"), Math.Min(events, 500), perRowCommit: true);
        return
        [
            new($"audit append, {producers} producers, {events / 1000}k ev x{Rounds}", audit, "plain SQLite INSERTs, one transaction", plain,
                $">= {TargetEventsPerSecond / 1000:0}k events/s", audit >= TargetEventsPerSecond, "ev/s"),
            new("  same rows, one commit per row", perRow, "plain SQLite INSERTs, one transaction", plain, "(reported)", true, "ev/s"),
        ];
    }

    private static async Task<double> AuditAppendsAsync(string directory, int events, int producers)
    {
        var options = new SqliteAuditLogOptions { DatabasePath = Path.Combine(directory, "audit.db"), SigningKeyPath = Path.Combine(directory, "audit.key") };
        await using var log = new SqliteAuditLog(options);
        await log.AppendAsync(Event(0)); // warm: JIT, file creation
        var perProducer = events / producers;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < perProducer; i++) await log.AppendAsync(Event(p * perProducer + i));
        })));
        return perProducer * producers / watch.Elapsed.TotalSeconds;
    }

    private static double PlainInserts(string path, int events, bool perRowCommit)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = """
                PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
                CREATE TABLE rows (seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL,
                  outcome TEXT NOT NULL, sandbox TEXT, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
                CREATE INDEX rows_sandbox ON rows (sandbox, seq);
                """;
            setup.ExecuteNonQuery();
        }

        var hash = new string('a', 64);
        var watch = Stopwatch.StartNew();
        var transaction = perRowCommit ? null : connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        // Every column bound per row, as any logger of these rows would; only the hashing is left out.
        insert.CommandText = "INSERT INTO rows VALUES ($seq, $time, $kind, $actor, $outcome, $sandbox, $details, $prev, $hash)";
        var columns = new[] { "$seq", "$time", "$kind", "$actor", "$outcome", "$sandbox", "$details", "$prev", "$hash" }
            .Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name }))
            .ToArray();
        for (var i = 1; i <= events; i++)
        {
            columns[0].Value = i;
            columns[1].Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            columns[2].Value = AuditKinds.Exec;
            columns[3].Value = "token:bench";
            columns[4].Value = AuditOutcomes.Ok;
            columns[5].Value = $"sb-{i % 16}";
            columns[6].Value = $"{{\"argv\":\"python3 -c print({i})\",\"exit\":\"0\"}}";
            columns[7].Value = hash;
            columns[8].Value = hash;
            insert.ExecuteNonQuery();
        }

        transaction?.Commit();
        transaction?.Dispose();
        return events / watch.Elapsed.TotalSeconds;
    }

    private static AuditEvent Event(int i) => new()
    {
        Kind = AuditKinds.Exec,
        Actor = "token:bench",
        SandboxId = $"sb-{i % 16}",
        Details = new Dictionary<string, string> { ["argv"] = $"python3 -c print({i})", ["exit"] = "0" },
    };
}
