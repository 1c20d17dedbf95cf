namespace Airlock.Audit.Sqlite;

/// <summary>
/// Walks the records in sequence order and stops at the first one that is not what was written, with the most
/// likely reason: modified (fields no longer match the hash), deleted (a gap in the sequence), inserted, swapped or
/// moved (its hash only matches another position), re-hashed (a consistent record whose successor still links to
/// the old hash), or a rewritten stretch that a signed checkpoint no longer matches.
/// </summary>
internal sealed class AuditChainWalk(IReadOnlyDictionary<long, AuditCheckpoint> checkpoints, long maxSequence)
{
    private long _expected = 1;
    private string _previousHash = AuditCanonicalForm.GenesisHash;
    private long _lastCheckpoint;

    /// <summary>Records that passed every check.</summary>
    public long Verified { get; private set; }

    public AuditFault? Fault { get; private set; }

    /// <summary>Checks <paramref name="current"/>; <paramref name="next"/> (the row after it, if any) tells an inserted record from a modified one.</summary>
    public void Check(StoredRow current, StoredRow? next)
    {
        var k = current.Sequence;
        if (k != _expected)
        {
            Fault = k > _expected
                ? new AuditFault(_expected, $"record {_expected} is missing: the trail jumps from record {_expected - 1} to record {k}, so {k - _expected} record(s) were deleted")
                : new AuditFault(k, $"record {k} has a sequence number below 1, which the log never writes: it was inserted by hand");
            return;
        }

        var hashOk = current.HashesAt(k);
        var linkOk = current.Record.PreviousHash == _previousHash;
        if (!hashOk || !linkOk)
        {
            Fault = Diagnose(current, next, hashOk, linkOk);
            return;
        }

        if (checkpoints.TryGetValue(k, out var checkpoint))
        {
            if (checkpoint.Hash != current.Record.Hash)
            {
                Fault = new AuditFault(_lastCheckpoint + 1, $"records {_lastCheckpoint + 1} to {k} were rewritten after the checkpoint at record {k} was signed: they form a consistent chain, but record {k}'s hash is not the signed one; the originals are only in a backup");
                return;
            }

            _lastCheckpoint = k;
        }

        _previousHash = current.Record.Hash;
        _expected++;
        Verified++;
    }

    /// <summary>After a clean walk: a signed checkpoint beyond the last record means the tail was cut off.</summary>
    public AuditFault? TruncationFault(IEnumerable<AuditCheckpoint> validCheckpoints)
    {
        var last = _expected - 1;
        return validCheckpoints.FirstOrDefault(c => c.Sequence > last) is { } beyond
            ? new AuditFault(last + 1, $"the trail ends at record {last}, but a signed checkpoint pins record {beyond.Sequence}: records {last + 1} to {beyond.Sequence} (and any after) were deleted from the end")
            : null;
    }

    private AuditFault Diagnose(StoredRow current, StoredRow? next, bool hashOk, bool linkOk)
    {
        var k = current.Sequence;
        if (!current.WellFormed)
        {
            return new AuditFault(k, $"record {k} was modified after it was written: a field no longer reads back (details are not a JSON object of strings, or a column was cleared)");
        }

        if (hashOk)
        {
            // Consistent in itself, but not linked: the record before it was replaced by one with a recomputed hash.
            return k == 1
                ? new AuditFault(1, "record 1 does not start the chain (its previous hash is not all zeros): the first records were deleted and the rest renumbered, or record 1 was replaced")
                : new AuditFault(k - 1, $"record {k - 1} was rewritten and its hash recomputed: record {k} still links to the hash record {k - 1} had when it was written");
        }

        if (OriginalPosition(current) is { } written)
        {
            return written > k
                ? new AuditFault(k, $"record {k} holds the record written as number {written}: records were swapped or moved, or the ones between were deleted and the rest renumbered")
                : new AuditFault(written, $"record {k} holds the record written as number {written}: {k - written} record(s) were inserted from record {written} on");
        }

        if (next is not null && next.Record.PreviousHash == _previousHash && next.HashesAt(k))
        {
            return new AuditFault(k, $"record {k} was inserted: the record now numbered {next.Sequence} is the one written as record {k}, and it links to record {k - 1}");
        }

        return linkOk
            ? new AuditFault(k, $"record {k} was modified after it was written: its fields no longer match its hash")
            : new AuditFault(k, $"record {k} was replaced: neither its hash nor its link to record {k - 1} match what was written");
    }

    /// <summary>The sequence number this record's hash was computed with, when it is not its current one (a record moved).</summary>
    private long? OriginalPosition(StoredRow row)
    {
        for (var candidate = 1L; candidate <= maxSequence + 1; candidate++)
        {
            if (candidate != row.Sequence && row.HashesAt(candidate)) return candidate;
        }

        return null;
    }
}
