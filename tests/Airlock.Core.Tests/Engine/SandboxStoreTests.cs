using Airlock.Core.State;

namespace Airlock.Core.Tests.Engine;

public sealed class SandboxStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("airlock-store-").FullName;

    [Fact]
    public async Task Records_SurviveReopening_AndUpdatesReplaceState()
    {
        var record = new SandboxRecord { Info = Info("0123456789ab"), Owner = ProcessIdentity.Current };
        using (var store = await OpenAsync())
        {
            await store.InsertAsync(record, CancellationToken.None);
            await store.UpdateAsync(record with { Info = record.Info with { State = SandboxState.Running } }, CancellationToken.None);
        }

        using var reopened = await OpenAsync();
        var read = await reopened.GetAsync("0123456789ab", CancellationToken.None);
        Assert.NotNull(read);
        Assert.Equal(SandboxState.Running, read.Info.State);
        Assert.Equal("team-a", read.Info.Labels["team"]);
        Assert.Equal(ProcessIdentity.Current, read.Owner);
    }

    [Fact]
    public async Task Insert_OfAnExistingId_Fails_RatherThanOverwriting()
    {
        using var store = await OpenAsync();
        var record = new SandboxRecord { Info = Info("aaaaaaaaaaaa"), Owner = ProcessIdentity.Current };
        await store.InsertAsync(record, CancellationToken.None);
        await Assert.ThrowsAnyAsync<Exception>(() => store.InsertAsync(record, CancellationToken.None));
    }

    [Fact]
    public async Task Delete_RemovesOnlyThatRecord()
    {
        using var store = await OpenAsync();
        await store.InsertAsync(new SandboxRecord { Info = Info("aaaaaaaaaaaa"), Owner = ProcessIdentity.Current }, CancellationToken.None);
        await store.InsertAsync(new SandboxRecord { Info = Info("bbbbbbbbbbbb"), Owner = ProcessIdentity.Current }, CancellationToken.None);
        await store.DeleteAsync("aaaaaaaaaaaa", CancellationToken.None);
        Assert.Equal(["bbbbbbbbbbbb"], (await store.ListAsync(CancellationToken.None)).Select(r => r.Id));
    }

    /// <summary>A CLI and the daemon share the file: the prepared read must see what the other connection wrote since.</summary>
    [Fact]
    public async Task Get_SeesWhatAnotherConnectionWrote_SinceItsLastRead()
    {
        using var daemon = await OpenAsync();
        using var cli = await OpenAsync();
        var record = new SandboxRecord { Info = Info("aaaaaaaaaaaa"), Owner = ProcessIdentity.Current };
        await cli.InsertAsync(record, CancellationToken.None);
        await cli.InsertAsync(new SandboxRecord { Info = Info("bbbbbbbbbbbb") with { State = SandboxState.Running }, Owner = ProcessIdentity.Current }, CancellationToken.None);

        Assert.Equal(SandboxState.Creating, (await daemon.GetAsync("aaaaaaaaaaaa", CancellationToken.None))?.Info.State);
        Assert.Equal(SandboxState.Running, (await daemon.GetAsync("bbbbbbbbbbbb", CancellationToken.None))?.Info.State);
        Assert.Null(await daemon.GetAsync("cccccccccccc", CancellationToken.None));

        await cli.UpdateAsync(record with { Info = record.Info with { State = SandboxState.Stopped } }, CancellationToken.None);
        Assert.Equal(SandboxState.Stopped, (await daemon.GetAsync("aaaaaaaaaaaa", CancellationToken.None))?.Info.State);
        await cli.DeleteAsync("aaaaaaaaaaaa", CancellationToken.None);
        Assert.Null(await daemon.GetAsync("aaaaaaaaaaaa", CancellationToken.None));
        Assert.NotNull(await daemon.GetAsync("bbbbbbbbbbbb", CancellationToken.None));
    }

    [Fact]
    public void ProcessIdentity_OfADeadProcess_IsNotAlive()
    {
        Assert.True(ProcessIdentity.Current.IsAlive);
        Assert.False(new ProcessIdentity(Environment.ProcessId, ProcessIdentity.Current.StartTicks + 1).IsAlive);
        Assert.False(ProcessIdentity.Of(int.MaxValue).IsAlive);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<SandboxStore> OpenAsync()
    {
        var store = new SandboxStore(Path.Combine(_dir, "airlock.db"));
        await store.OpenAsync(CancellationToken.None);
        return store;
    }

    private static SandboxInfo Info(string id) => new()
    {
        Id = id,
        State = SandboxState.Creating,
        Image = "python",
        Isolation = "container",
        Limits = new ResourceLimits { MemoryBytes = 1 << 30 },
        Labels = new Dictionary<string, string> { ["team"] = "team-a" },
        CreatedAt = DateTimeOffset.UnixEpoch,
    };
}
