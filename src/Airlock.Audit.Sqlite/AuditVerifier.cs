using Microsoft.Data.Sqlite;

namespace Airlock.Audit.Sqlite;

/// <summary>
/// Checks an <c>audit.db</c>: each record's hash against its fields (<see cref="AuditCanonicalForm"/>), each
/// record's link to the one before, sequence numbers without gaps, each checkpoint's signature, each checkpoint's
/// hash against the record it pins, and that no checkpoint pins a record that is gone. Reports the first bad
/// record (<see cref="AuditChainDiagnosis"/> says what most likely happened to it). Reads one consistent snapshot,
/// so it can run while the daemon appends.
/// </summary>
public sealed class AuditVerifier(string databasePath, string signingKeyPath) : IAuditVerifier
{
    public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(databasePath)) return Task.FromResult(Missing());
        using var connection = AuditDatabase.OpenForReading(databasePath);
        using var transaction = connection.BeginTransaction(deferred: true);
        if (!AuditDatabase.HasTables(connection)) return Task.FromResult(Missing());
        using var key = AuditSigningKey.TryLoad(signingKeyPath);
        var checkpoints = ReadCheckpoints(connection, transaction);
        var signatureFault = SignatureFault(checkpoints, key);
        var valid = signatureFault is null ? checkpoints : checkpoints.Where(c => c.Sequence < signatureFault.Sequence).ToList();
        var walk = new AuditChainWalk(valid.ToDictionary(c => c.Sequence), MaxSequence(connection, transaction));

        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"SELECT {AuditRows.Columns} FROM audit_records ORDER BY seq";
            using var reader = command.ExecuteReader();
            var current = Next(reader);
            while (current is not null && walk.Fault is null)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var next = Next(reader);
                walk.Check(current, next);
                current = next;
            }
        }

        var fault = walk.Fault ?? walk.TruncationFault(valid);
        if (signatureFault is not null && (fault is null || signatureFault.Sequence < fault.Sequence)) fault = signatureFault;
        return Task.FromResult(new AuditVerification { Records = walk.Verified, Checkpoints = checkpoints.Count, SigningKey = key?.Fingerprint, FirstBad = fault });
    }

    /// <summary>No database: fine for a data directory that never recorded anything, not when a checkpoint key says it once did.</summary>
    private AuditVerification Missing() => File.Exists(signingKeyPath)
        ? new AuditVerification { FirstBad = new AuditFault(1, $"the audit trail {databasePath} is missing or empty, but its signing key {signingKeyPath} exists, so records were written and are gone; restore audit.db from a backup") }
        : new AuditVerification();

    private AuditFault? SignatureFault(IReadOnlyList<AuditCheckpoint> checkpoints, AuditSigningKey? key)
    {
        if (checkpoints.Count == 0) return null;
        if (key is null)
        {
            return new AuditFault(checkpoints[0].Sequence, $"the trail has signed checkpoints but the signing key {signingKeyPath} is missing, so they cannot be checked; restore the key from a backup");
        }

        return checkpoints.FirstOrDefault(c => !c.IsSignedBy(key)) is { } bad
            ? new AuditFault(bad.Sequence, $"the checkpoint at record {bad.Sequence} does not verify with the signing key (fingerprint {key.Fingerprint}): it was forged or altered, or the key file was replaced; compare with a backup of audit.db and audit.key")
            : null;
    }

    private static List<AuditCheckpoint> ReadCheckpoints(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT seq, hash, time_ms, signature FROM audit_checkpoints ORDER BY seq";
        using var reader = command.ExecuteReader();
        var checkpoints = new List<AuditCheckpoint>();
        while (reader.Read()) checkpoints.Add(new AuditCheckpoint(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)));
        return checkpoints;
    }

    private static StoredRow? Next(SqliteDataReader reader)
    {
        if (!reader.Read()) return null;
        var sequence = reader.GetInt64(0);
        try
        {
            return new StoredRow(AuditRows.Read(reader, out var wellFormed), wellFormed);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or InvalidOperationException)
        {
            // A column set to NULL or a blob by hand: the row cannot even be read as a record.
            return new StoredRow(new AuditRecord
            {
                Sequence = sequence,
                Time = default,
                Event = new AuditEvent { Kind = "", Actor = "" },
                PreviousHash = "",
                Hash = "",
            }, WellFormed: false);
        }
    }

    private static long MaxSequence(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT coalesce(max(seq), 0) FROM audit_records";
        return (long)command.ExecuteScalar()!;
    }
}
