using Microsoft.Win32.SafeHandles;

namespace Airlock.Audit.Sqlite;

/// <summary>
/// The write-ahead log beside <c>audit.db</c>, flushed to disk by Airlock itself rather than inside SQLite's
/// commit. The connection commits with <c>synchronous=NORMAL</c> (frames written, no fsync, the write lock
/// released at once) and the batch is acknowledged only after <see cref="Flush"/> returns, so a record is still
/// on disk before its append is acknowledged — but the fsync of one batch runs while the next batch is being
/// inserted, instead of every batch waiting for its own fsync with the lock held. SQLite fsyncs this file itself
/// before each checkpoint copies it into the database, and the database after, so frames overwritten after a
/// checkpoint were already durable in the database file.
/// </summary>
internal sealed class WalFile : IDisposable
{
    private readonly string _path;
    private SafeFileHandle? _handle;

    public WalFile(string databasePath) => _path = databasePath + "-wal";

    /// <summary>fdatasync of the WAL: everything committed before the call is durable when it returns.</summary>
    public void Flush()
    {
        // SQLite creates the file at the first write transaction and keeps it while any connection is open (ours
        // is), so one handle opened after the first commit stays valid for the log's life. SQLite takes no POSIX
        // locks on this file, so this extra handle cannot release one of SQLite's locks when it closes.
        _handle ??= File.OpenHandle(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        RandomAccess.FlushToDisk(_handle);
    }

    public void Dispose() => _handle?.Dispose();
}
