using System.Diagnostics;

namespace Airlock.Audit.Sqlite.Tests;

/// <summary>
/// Another process appending to the same audit.db, written in Python from nothing but the documented contract
/// (<see cref="AuditCanonicalForm"/>): BEGIN IMMEDIATE, read the head from the file, hash, insert, commit.
/// It proves two things at once: the chain survives two writers in two processes, and the documented
/// canonical form is enough for another tool to produce (and so to check) hashes.
/// </summary>
internal static class SecondProcessWriter
{
    private const string Script = """
        import hashlib, json, sqlite3, sys, time
        def net(s):
            b = s.encode("utf-8")
            return str(len(b)).encode() + b":" + b + b","
        db, count = sys.argv[1], int(sys.argv[2])
        conn = sqlite3.connect(db, timeout=30, isolation_level=None)
        conn.execute("PRAGMA synchronous = FULL")
        for i in range(count):
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (row[0] + 1, row[1]) if row else (1, "0" * 64)
            ms = int(time.time() * 1000)
            details = {"pid": "python", "n": str(i)}
            keys = sorted(details, key=lambda k: k.encode("utf-8"))
            canonical = b"".join([net("airlock.audit.v1"), net(str(seq)), net(str(ms)), net("exec"), net("local:py"), net("ok"), net("sb-py"),
                                  net(str(len(details)))] + [net(k) + net(details[k]) for k in keys] + [net(prev)])
            digest = hashlib.sha256(canonical).hexdigest()
            conn.execute("INSERT INTO audit_records (seq, time_ms, kind, actor, outcome, sandbox, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)",
                         (seq, ms, "exec", "local:py", "ok", "sb-py", json.dumps({k: details[k] for k in keys}, separators=(",", ":")), prev, digest))
            conn.execute("COMMIT")
            time.sleep(0.003)  # leave the other writer room between our commits, however fast this disk is
        """;

    public static Process Start(string database, int count)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardError = true };
        foreach (var argument in (string[])["-c", Script, database, count.ToString(System.Globalization.CultureInfo.InvariantCulture)]) start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }
}
