using System.Security.Cryptography;
using Airlock.Access;
using Airlock.Governance.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Airlock.Governance.Tests;

/// <summary>A token service over a temporary SQLite file, a fake clock and a recording audit log.</summary>
internal sealed class TokenServiceHarness : IDisposable
{
    public TokenServiceHarness()
    {
        Service = new TokenService(DatabasePath, Key, Clock, Audit);
    }

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("airlock-tokens-").FullName;

    public string DatabasePath => Path.Combine(Directory, "tokens.db");

    public byte[] Key { get; } = RandomNumberGenerator.GetBytes(32);

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public RecordingAuditLog Audit { get; } = new();

    public TokenService Service { get; }

    /// <summary>Runs <paramref name="action"/> as <paramref name="caller"/>, as the API's authentication would set it.</summary>
    public static async Task<T> AsAsync<T>(Caller caller, Func<Task<T>> action)
    {
        // A fresh async flow, so the caller does not leak into the test's own flow.
        return await Task.Run(async () =>
        {
            CallerContext.Set(caller);
            return await action();
        });
    }

    public async Task<Caller> CallerOfAsync(MintedToken minted) =>
        (await Service.ValidateAsync(minted.Token)).Caller ?? throw new InvalidOperationException("token refused");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
