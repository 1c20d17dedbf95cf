namespace Airlock.Audit.Sqlite.Tests;

/// <summary>Each test edits audit.db the way an intruder with write access to the file could, and expects verify to name the record.</summary>
public sealed class TamperDetectionTests
{
    [Fact]
    public async Task Verify_FreshLog_IsIntact()
    {
        using var dir = new AuditDirectory();
        await dir.FillAsync(50, checkpointEvery: 10);
        var result = await dir.VerifyAsync();
        Assert.True(result.Ok, result.FirstBad?.Reason);
        Assert.Equal(50, result.Records);
        Assert.Equal(5, result.Checkpoints);
        Assert.Matches("^[0-9a-f]{16}$", result.SigningKey);
    }

    [Fact]
    public async Task Verify_WhenTheKeyIsReplacedAndCheckpointsResigned_ShowsAnotherFingerprint()
    {
        using var dir = new AuditDirectory();
        await dir.FillAsync(5, checkpointEvery: 5);
        var before = (await dir.VerifyAsync()).SigningKey;
        File.Delete(dir.Key);
        dir.Sql("DELETE FROM audit_checkpoints");
        await using (var log = dir.Open(checkpointEvery: 1))
        {
            await log.AppendAsync(AuditDirectory.Event(6));
        }

        var after = await dir.VerifyAsync();
        Assert.True(after.Ok); // the chain and the new signatures agree: only the pinned fingerprint tells
        Assert.NotEqual(before, after.SigningKey);
    }

    [Fact]
    public async Task Verify_NoDatabaseAndNoKey_IsIntactAndEmpty()
    {
        using var dir = new AuditDirectory();
        var result = await dir.VerifyAsync();
        Assert.True(result.Ok);
        Assert.Equal(0, result.Records);
    }

    /// <summary>One raw-SQL edit of a 20-record trail each: the record verify must name, and words its reason must contain.</summary>
    [Theory]
    [InlineData("edited field", "UPDATE audit_records SET actor = 'token:innocent' WHERE seq = 7", 7, "record 7 was modified")]
    [InlineData("edited details", "UPDATE audit_records SET details = '{\"argv\":\"ls\",\"n\":\"12\"}' WHERE seq = 12", 12, "record 12 was modified")]
    [InlineData("deleted", "DELETE FROM audit_records WHERE seq = 9", 9, "record 9 is missing")]
    [InlineData("deleted, rest renumbered", "DELETE FROM audit_records WHERE seq = 9; UPDATE audit_records SET seq = -seq WHERE seq > 9; UPDATE audit_records SET seq = -seq - 1 WHERE seq < 0;", 9, "record 9 holds the record written as number 10")]
    [InlineData("swapped", "UPDATE audit_records SET seq = -1 WHERE seq = 5; UPDATE audit_records SET seq = 5 WHERE seq = 11; UPDATE audit_records SET seq = 11 WHERE seq = -1;", 5, "record 5 holds the record written as number 11: records were swapped")]
    [InlineData("neighbours swapped", "UPDATE audit_records SET seq = -1 WHERE seq = 5; UPDATE audit_records SET seq = 5 WHERE seq = 6; UPDATE audit_records SET seq = 6 WHERE seq = -1;", 5, "swapped")]
    [InlineData("inserted, linking to the one before", """
        UPDATE audit_records SET seq = -seq WHERE seq >= 8;
        UPDATE audit_records SET seq = -seq + 1 WHERE seq < 0;
        INSERT INTO audit_records (seq, time_ms, kind, actor, outcome, sandbox, details, prev_hash, hash)
          SELECT 8, time_ms, 'exec', 'admin', 'ok', 'sb-1', '{}', hash, hash FROM audit_records WHERE seq = 7;
        """, 8, "record 8 was inserted")]
    public async Task Verify_AfterOneEdit_NamesTheFirstBadRecord(string edit, string sql, long sequence, string reason)
    {
        using var dir = new AuditDirectory();
        await dir.FillAsync(20);
        dir.Sql(sql);
        var fault = await FirstBadAsync(dir);
        Assert.True(sequence == fault.Sequence, $"{edit}: expected record {sequence}, got {fault.Sequence}: {fault.Reason}");
        Assert.Contains(reason, fault.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_WhenARecordIsAppendedByHand_NamesIt()
    {
        using var dir = new AuditDirectory();
        await dir.FillAsync(5);
        dir.Sql("""
            INSERT INTO audit_records (seq, time_ms, kind, actor, outcome, sandbox, details, prev_hash, hash)
              SELECT 6, time_ms, 'exec', 'admin', 'ok', NULL, '{}', hash, 'f00d' FROM audit_records WHERE seq = 5;
            """);
        var fault = await FirstBadAsync(dir);
        Assert.Equal(6, fault.Sequence);
    }

    [Fact]
    public async Task Verify_WhenTheTailBehindACheckpointIsDeleted_SaysTruncated()
    {
        using var dir = new AuditDirectory();
        await dir.FillAsync(30, checkpointEvery: 10);
        dir.Sql("DELETE FROM audit_records WHERE seq > 24");
        var fault = await FirstBadAsync(dir);
        Assert.Equal(25, fault.Sequence);
        Assert.Contains("deleted from the end", fault.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_WhenACheckpointSignatureIsForged_NamesTheCheckpoint()
    {
        using var dir = new AuditDirectory();
        await dir.FillAsync(30, checkpointEvery: 10);
        dir.Sql("UPDATE audit_checkpoints SET time_ms = time_ms + 1 WHERE seq = 20");
        var fault = await FirstBadAsync(dir);
        Assert.Equal(20, fault.Sequence);
        Assert.Contains("does not verify with the signing key", fault.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_WhenTheChainIsRecomputedAfterAnEdit_TheCheckpointCatchesIt()
    {
        using var dir = new AuditDirectory();
        var written = await dir.FillAsync(30, checkpointEvery: 10);
        // A careful intruder edits record 15 and recomputes every hash after it: the chain is consistent again.
        var edited = written.Select(r => r).ToList();
        var previous = edited[13].Hash;
        for (var i = 14; i < edited.Count; i++)
        {
            var e = i == 14 ? edited[i].Event with { Actor = "token:innocent" } : edited[i].Event;
            var hash = AuditCanonicalForm.Hash(edited[i].Sequence, edited[i].Time.ToUnixTimeMilliseconds(), e, previous);
            dir.Sql($"UPDATE audit_records SET actor = '{e.Actor}', prev_hash = '{previous}', hash = '{hash}' WHERE seq = {edited[i].Sequence}");
            previous = hash;
        }

        var fault = await FirstBadAsync(dir);
        Assert.Equal(11, fault.Sequence);
        Assert.Contains("records 11 to 20 were rewritten after the checkpoint at record 20 was signed", fault.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_WhenOneRecordIsRehashed_NamesIt()
    {
        using var dir = new AuditDirectory();
        var written = await dir.FillAsync(20);
        var r = written[9];
        var hash = AuditCanonicalForm.Hash(r.Sequence, r.Time.ToUnixTimeMilliseconds(), r.Event with { Outcome = "denied" }, r.PreviousHash);
        dir.Sql($"UPDATE audit_records SET outcome = 'denied', hash = '{hash}' WHERE seq = 10");
        var fault = await FirstBadAsync(dir);
        Assert.Equal(10, fault.Sequence);
        Assert.Contains("record 10 was rewritten and its hash recomputed", fault.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_WhenTheDatabaseIsDeletedButTheKeyRemains_Fails()
    {
        using var dir = new AuditDirectory();
        await dir.FillAsync(3);
        File.Delete(dir.Database);
        File.Delete(dir.Database + "-wal");
        File.Delete(dir.Database + "-shm");
        var fault = await FirstBadAsync(dir);
        Assert.Contains("missing or empty", fault.Reason, StringComparison.Ordinal);
    }

    private static async Task<AuditFault> FirstBadAsync(AuditDirectory dir)
    {
        var result = await dir.VerifyAsync();
        Assert.False(result.Ok, "verify should have failed");
        return result.FirstBad!;
    }
}
