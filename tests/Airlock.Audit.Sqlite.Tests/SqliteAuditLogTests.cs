using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Airlock.Audit.Sqlite.Tests;

public sealed class SqliteAuditLogTests
{
    [Fact]
    public async Task Append_ChainsRecords_FromGenesis()
    {
        using var dir = new AuditDirectory();
        var records = await dir.FillAsync(3);
        Assert.Equal([1L, 2, 3], records.Select(r => r.Sequence));
        Assert.Equal(AuditCanonicalForm.GenesisHash, records[0].PreviousHash);
        Assert.Equal(records[0].Hash, records[1].PreviousHash);
        Assert.Equal(records[1].Hash, records[2].PreviousHash);
        Assert.All(records, r => Assert.Matches("^[0-9a-f]{64}$", r.Hash));
    }

    [Fact]
    public async Task Append_ManyConcurrentProducers_GivesContiguousSequences_AndAVerifiedChain()
    {
        using var dir = new AuditDirectory();
        await using (var log = dir.Open())
        {
            var producers = Enumerable.Range(0, 20).Select(p => Task.Run(async () =>
            {
                var mine = new List<long>();
                for (var i = 0; i < 1000; i++) mine.Add((await log.AppendAsync(AuditDirectory.Event(i, sandbox: $"p{p}"))).Sequence);
                return mine;
            }));
            var sequences = (await Task.WhenAll(producers)).SelectMany(s => s).Order().ToList();
            Assert.Equal(Enumerable.Range(1, 20_000).Select(i => (long)i), sequences);
            var sandbox7 = await log.QueryAsync(new AuditQuery { SandboxId = "p7", Limit = 5000 });
            Assert.Equal(1000, sandbox7.Count);
        }

        var result = await dir.VerifyAsync();
        Assert.True(result.Ok, result.FirstBad?.Reason);
        Assert.Equal(20_000, result.Records);
        Assert.True(result.Checkpoints >= 20);
    }

    [Fact]
    public async Task Append_FromTwoWritersOnOneFile_KeepsOneValidChain()
    {
        using var dir = new AuditDirectory();
        // Two instances share nothing but the file, as the daemon and an embedded CLI do.
        await using (var daemon = dir.Open(checkpointEvery: 100))
        await using (var cli = dir.Open(checkpointEvery: 100))
        {
            var appends = Enumerable.Range(0, 2000).Select(i => (i % 2 == 0 ? daemon : cli).AppendAsync(AuditDirectory.Event(i)));
            var records = await Task.WhenAll(appends);
            Assert.Equal(2000, records.Select(r => r.Sequence).Distinct().Count());
        }

        var result = await dir.VerifyAsync();
        Assert.True(result.Ok, result.FirstBad?.Reason);
        Assert.Equal(2000, result.Records);
    }

    [Fact]
    public async Task Append_BesideAnotherProcessWritingTheSameFile_KeepsOneValidChain()
    {
        using var dir = new AuditDirectory();
        long expected;
        await using (var log = dir.Open(checkpointEvery: 50))
        {
            await log.AppendAsync(AuditDirectory.Event(0)); // creates the file and tables for the other process
            using var other = SecondProcessWriter.Start(dir.Database, 300);
            var ours = 1;
            while (!other.HasExited)
            {
                await Task.WhenAll(Enumerable.Range(0, 20).Select(i => log.AppendAsync(AuditDirectory.Event(i))));
                ours += 20;
            }

            await other.WaitForExitAsync();
            Assert.True(other.ExitCode == 0, await other.StandardError.ReadToEndAsync());
            var theirs = await log.QueryAsync(new AuditQuery { Actor = "local:py" });
            Assert.Equal(300, theirs.Count);
            var between = await log.QueryAsync(new AuditQuery { Actor = "admin", AfterSequence = theirs[0].Sequence, Limit = 1 });
            Assert.True(between.Count == 1 && between[0].Sequence < theirs[^1].Sequence, "the two processes' appends did not interleave");
            expected = ours + 300;
        }

        var result = await dir.VerifyAsync();
        Assert.True(result.Ok, result.FirstBad?.Reason);
        Assert.Equal(expected, result.Records);
    }

    [Fact]
    public async Task Observers_OfAFollowingLog_HearOtherProcessesRecords_AndEachOwnRecordOnce()
    {
        using var dir = new AuditDirectory();
        await using (var first = dir.Open()) await first.AppendAsync(AuditDirectory.Event(0)); // before the follower: not replayed
        await using var log = new SqliteAuditLog(new SqliteAuditLogOptions
        {
            DatabasePath = dir.Database, SigningKeyPath = dir.Key, FollowOtherWriters = TimeSpan.FromMilliseconds(50),
        });
        var heard = new System.Collections.Concurrent.ConcurrentQueue<AuditRecord>();
        using var subscription = log.Subscribe(heard.Enqueue);
        using var other = SecondProcessWriter.Start(dir.Database, 100);
        var ours = 0;
        while (!other.HasExited || ours < 60)
        {
            await Task.WhenAll(Enumerable.Range(0, 5).Select(i => log.AppendAsync(AuditDirectory.Event(i))));
            ours += 5;
        }

        await other.WaitForExitAsync();
        Assert.True(other.ExitCode == 0, await other.StandardError.ReadToEndAsync());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (heard.Count < ours + 100 && DateTime.UtcNow < deadline) await Task.Delay(50);
        await Task.Delay(300); // a duplicate would arrive within a few looks

        var records = heard.ToList();
        Assert.Equal(ours + 100, records.Count);
        Assert.Equal(records.Count, records.Select(r => r.Sequence).Distinct().Count());
        Assert.Equal(100, records.Count(r => r.Event.Actor == "local:py"));
        Assert.DoesNotContain(records, r => r.Sequence == 1);
    }

    [Fact]
    public async Task Append_OnceAcknowledged_IsInTheFile()
    {
        using var dir = new AuditDirectory();
        await using var log = dir.Open();
        var record = await log.AppendAsync(new AuditEvent { Kind = AuditKinds.TokenMinted, Actor = "admin", Details = new Dictionary<string, string> { ["token"] = "t-1" } });

        // A separate connection, opened after the acknowledgement and while the log is still open.
        using var connection = new SqliteConnection($"Data Source={dir.Database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT kind, hash FROM audit_records WHERE seq = $seq";
        command.Parameters.AddWithValue("$seq", record.Sequence);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(AuditKinds.TokenMinted, reader.GetString(0));
        Assert.Equal(record.Hash, reader.GetString(1));

        // Records hold command lines: the file and its WAL are the owner's alone.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Database));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Database + "-wal"));
    }

    [Fact]
    public async Task Values_EmptyLongAndBeyondAscii_AreStoredAsGiven_AndVerify()
    {
        // The writer binds UTF-8 bytes itself: an empty value must stay an empty string (not NULL), and a value
        // longer than its scratch buffer or outside ASCII must come back byte for byte.
        using var dir = new AuditDirectory();
        var longValue = new string('x', 5000) + "€";
        var given = new AuditEvent
        {
            Kind = AuditKinds.Exec,
            Actor = "",
            Outcome = "ok",
            SandboxId = "sb-ü",
            Details = new Dictionary<string, string> { ["argv"] = longValue, ["empty"] = "", ["emoji"] = "😀 \"quoted\"" },
        };
        await using (var log = dir.Open())
        {
            await log.AppendAsync(given);
            var stored = Assert.Single(await log.QueryAsync(new AuditQuery()));
            Assert.Equal("", stored.Event.Actor);
            Assert.Equal("sb-ü", stored.Event.SandboxId);
            Assert.Equal(longValue, stored.Event.Details["argv"]);
            Assert.Equal("", stored.Event.Details["empty"]);
            Assert.Equal("😀 \"quoted\"", stored.Event.Details["emoji"]);
        }

        var result = await dir.VerifyAsync();
        Assert.True(result.Ok, result.FirstBad?.Reason);
    }

    [Fact]
    public async Task Query_FiltersByKindPrefixActorOutcomeAndNewest()
    {
        using var dir = new AuditDirectory();
        await using var log = dir.Open();
        await log.AppendAsync(new AuditEvent { Kind = AuditKinds.ApprovalRequested, Actor = "token:a", Outcome = AuditOutcomes.Pending });
        await log.AppendAsync(new AuditEvent { Kind = AuditKinds.ApprovalResolved, Actor = "admin" });
        await log.AppendAsync(new AuditEvent { Kind = AuditKinds.Exec, Actor = "token:a", Outcome = AuditOutcomes.Denied, SandboxId = "sb-1" });
        await log.AppendAsync(new AuditEvent { Kind = "approval_x", Actor = "admin" });

        Assert.Equal(2, (await log.QueryAsync(new AuditQuery { Kind = "approval." })).Count);
        Assert.Equal([1L, 3], (await log.QueryAsync(new AuditQuery { Actor = "token:a" })).Select(r => r.Sequence));
        Assert.Equal(3, Assert.Single(await log.QueryAsync(new AuditQuery { Outcome = AuditOutcomes.Denied, SandboxId = "sb-1" })).Sequence);
        Assert.Equal([3L, 4], (await log.QueryAsync(new AuditQuery { Newest = true, Limit = 2 })).Select(r => r.Sequence));
        Assert.Equal([4L], (await log.QueryAsync(new AuditQuery { AfterSequence = 3 })).Select(r => r.Sequence));
    }

    [Fact]
    public async Task Checkpoint_IsWrittenAfterTheInterval_WhenRecordsWereAdded()
    {
        using var dir = new AuditDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var log = dir.Open(time: time);
        await log.AppendAsync(AuditDirectory.Event(1));
        Assert.Equal(0, (await dir.VerifyAsync()).Checkpoints);
        Assert.False(File.Exists(dir.Key));

        time.Advance(TimeSpan.FromSeconds(10));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await dir.VerifyAsync()).Checkpoints == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        var result = await dir.VerifyAsync();
        Assert.Equal(1, result.Checkpoints);
        Assert.True(result.Ok, result.FirstBad?.Reason);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Key));
    }

    [Fact]
    public async Task Subscribe_SlowAndFailingObservers_DoNotHoldUpAppends()
    {
        using var dir = new AuditDirectory();
        var failures = 0;
        await using var log = dir.Open(observerFailed: _ => Interlocked.Increment(ref failures));
        using var release = new ManualResetEventSlim();
        var seen = new List<long>();
        using var slow = log.Subscribe(r =>
        {
            release.Wait(TimeSpan.FromSeconds(10));
            lock (seen) seen.Add(r.Sequence);
        });
        using var failing = log.Subscribe(_ => throw new InvalidOperationException("observer bug"));

        for (var i = 0; i < 5; i++) await log.AppendAsync(AuditDirectory.Event(i)).WaitAsync(TimeSpan.FromSeconds(5));
        release.Set();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref failures) < 5 && DateTime.UtcNow < deadline) await Task.Delay(20);
        lock (seen) Assert.Equal([1L, 2, 3, 4, 5], seen);
        Assert.Equal(5, failures);
    }

    [Fact]
    public async Task Append_AfterDispose_Throws()
    {
        using var dir = new AuditDirectory();
        var log = dir.Open();
        await log.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => log.AppendAsync(AuditDirectory.Event(1)));
    }
}
