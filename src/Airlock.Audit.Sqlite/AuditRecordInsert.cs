using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Airlock.Audit.Sqlite;

/// <summary>
/// The one INSERT on the audit writer's hot path, prepared once and bound through SQLite's C API from UTF-8
/// bytes. The single writer is the serial part of every append, and the ADO.NET command it replaces spent more
/// than SQLite itself per row (a data reader per execution, per-parameter type inference, UTF-16 to UTF-8 copies).
/// Runs inside the writer's open transaction, on the same connection.
/// </summary>
internal sealed class AuditRecordInsert : IDisposable
{
    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;
    private byte[] _text = new byte[256];

    public AuditRecordInsert(SqliteConnection connection)
    {
        _database = connection.Handle ?? throw new InvalidOperationException("the audit connection is not open");
        var result = raw.sqlite3_prepare_v2(_database, $"INSERT INTO audit_records ({AuditRows.Columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", out _statement);
        if (result != raw.SQLITE_OK) throw Failure(result);
    }

    public void Insert(long sequence, long unixMilliseconds, AuditAppend append, string previousHash, string hash)
    {
        var auditEvent = append.Event!;
        try
        {
            Check(raw.sqlite3_bind_int64(_statement, 1, sequence));
            Check(raw.sqlite3_bind_int64(_statement, 2, unixMilliseconds));
            BindText(3, auditEvent.Kind);
            BindText(4, auditEvent.Actor);
            BindText(5, auditEvent.Outcome);
            if (auditEvent.SandboxId is { } sandbox) BindText(6, sandbox);
            else Check(raw.sqlite3_bind_null(_statement, 6));
            Check(raw.sqlite3_bind_text(_statement, 7, append.DetailsJson));
            BindText(8, previousHash);
            BindText(9, hash);
            var result = raw.sqlite3_step(_statement);
            if (result != raw.SQLITE_DONE) throw Failure(result);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    /// <summary>SQLite copies the bytes (SQLITE_TRANSIENT), so one buffer serves every column.</summary>
    private void BindText(int index, string value)
    {
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_text.Length < length) _text = new byte[Math.Max(length, _text.Length * 2)];
        var written = Encoding.UTF8.GetBytes(value, _text);
        Check(raw.sqlite3_bind_text(_statement, index, _text.AsSpan(0, written)));
    }

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK) throw Failure(result);
    }

    private SqliteException Failure(int result) => new($"SQLite Error {result}: '{raw.sqlite3_errmsg(_database).utf8_to_string()}'.", result);
}
