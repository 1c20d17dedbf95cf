using Airlock.Audit;
using Airlock.RedTeam.Model;
using Microsoft.Data.Sqlite;

namespace Airlock.RedTeam.Cases.Governance;

/// <summary>
/// Someone with write access to the daemon's data directory rewrites its audit trail to hide what a sandbox did:
/// edits a record's details, deletes a record, or re-links a rewritten record's hash. <c>verify</c> (through the
/// daemon's API for the live trail, then the same verifier as <c>airlock audit verify</c> over a tampered copy taken
/// with SQLite's backup API, so later cases keep an intact trail) must name the first bad record.
/// </summary>
internal sealed class AuditTamperAttack(string mode) : IAttackCase
{
    public string Category => Categories.Governance;

    public string Name => "audit-" + mode;

    public string Attempts => mode switch
    {
        "edit" => "rewrite the details of a recorded exec in audit.db (the command line an attacker wants hidden); verify must flag it",
        "delete" => "delete a record from the middle of audit.db; verify must flag the gap",
        _ => "rewrite a record and recompute its hash and prev_hash links from there on (without the signing key); verify must flag it",
    };

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var sandbox = await context.CreateDaemonSandboxAsync(cancellationToken: cancellationToken);
        for (var i = 0; i < 3; i++)
        {
            await foreach (var _ in context.Environment.Admin.Operations.ExecStreamAsync(sandbox.Id, new ExecRequest { Command = ["echo", $"evil-{context.Nonce}-{i}"] }, cancellationToken))
            {
            }
        }

        var before = await context.Environment.Admin.Audit.VerifyAsync(cancellationToken);
        if (!before.Ok) return Judgement.Inconclusive($"the trail did not verify before tampering: {before.FirstBad}");
        var copy = Path.Combine(context.Environment.Paths.DataDirectory, $"audit-tampered-{mode}.db");
        using (var live = Open(context.Environment.Paths.Audit))
        using (var target = Open(copy))
        {
            live.BackupDatabase(target);
        }

        var changed = Tamper(copy, context.Nonce);
        var after = await new Airlock.Audit.Sqlite.AuditVerifier(copy, context.Environment.Paths.AuditSigningKey).VerifyAsync(cancellationToken);
        SqliteConnection.ClearAllPools();
        File.Delete(copy);
        if (changed == 0) return Judgement.Inconclusive("no record of this case was found to tamper with");
        return after.Ok
            ? Judgement.Escaped($"{changed} record(s) tampered ({mode}) and verify still reports the trail intact ({after.Records} records)")
            : Judgement.Contained($"{changed} record(s) tampered ({mode}); verify flagged record {after.FirstBad!.Sequence}: {after.FirstBad.Reason}");
    }

    private int Tamper(string database, string nonce)
    {
        using var connection = Open(database);
        using var find = connection.CreateCommand();
        find.CommandText = "SELECT seq, details, hash FROM audit_records WHERE details LIKE $needle ORDER BY seq LIMIT 1";
        find.Parameters.AddWithValue("$needle", $"%evil-{nonce}-1%");
        using var reader = find.ExecuteReader();
        if (!reader.Read()) return 0;
        var (seq, details) = (reader.GetInt64(0), reader.GetString(1));
        reader.Close();
        using var change = connection.CreateCommand();
        change.Parameters.AddWithValue("$seq", seq);
        change.Parameters.AddWithValue("$details", details.Replace($"evil-{nonce}-1", "harmless", StringComparison.Ordinal));
        change.CommandText = mode switch
        {
            "edit" => "UPDATE audit_records SET details = $details WHERE seq = $seq",
            "delete" => "DELETE FROM audit_records WHERE seq = $seq",
            // Re-link: the rewritten record takes a plausible new hash and the next record points to it.
            _ => "UPDATE audit_records SET details = $details, hash = lower(hex(randomblob(32))) WHERE seq = $seq; UPDATE audit_records SET prev_hash = (SELECT hash FROM audit_records WHERE seq = $seq) WHERE seq = $seq + 1",
        };
        return change.ExecuteNonQuery();
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
