namespace Airlock.Audit.Sqlite;

/// <summary>Where the audit trail lives and how often it is pinned by a signed checkpoint.</summary>
public sealed record SqliteAuditLogOptions
{
    /// <summary>The SQLite file, <c>{data}/audit.db</c> (<c>AirlockPaths.Audit</c>).</summary>
    public required string DatabasePath { get; init; }

    /// <summary>The checkpoint signing key, <c>{data}/audit.key</c> (<c>AirlockPaths.AuditSigningKey</c>), created 0600 at the first checkpoint.</summary>
    public required string SigningKeyPath { get; init; }

    /// <summary>A checkpoint after at most this many records.</summary>
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>A checkpoint at least this often while records are being added, so a quiet trail's tail is pinned too.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The most appends written in one transaction.</summary>
    public int MaxBatch { get; init; } = 8192;

    /// <summary>Told when an observer of <see cref="SqliteAuditLog.Subscribe"/> throws; the record stays written and the others are still told.</summary>
    public Action<Exception>? ObserverFailed { get; init; }

    /// <summary>
    /// When set, observers also hear of records other processes append to the same file (an egress gateway's network
    /// decisions), found by reading the file this often. Null: only this instance's own records.
    /// </summary>
    public TimeSpan? FollowOtherWriters { get; init; }
}
