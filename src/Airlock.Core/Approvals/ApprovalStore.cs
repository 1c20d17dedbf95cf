using Airlock.Core.State;
using Microsoft.Data.Sqlite;

namespace Airlock.Core.Approvals;

/// <summary>
/// Approvals in the data directory's SQLite file, so that a request held by one process (the daemon, or an embedded
/// CLI) can be answered by another (<c>airlock approvals approve</c>). Resolution is a conditional update of a
/// pending row: two people answering at once cannot both win.
/// </summary>
internal sealed class ApprovalStore(string databasePath)
{
    private readonly StateTables _tables = new(databasePath, """
        CREATE TABLE IF NOT EXISTS approvals (
            id TEXT PRIMARY KEY, sandbox_id TEXT NOT NULL, requested_by TEXT NOT NULL, action TEXT NOT NULL,
            rule TEXT NOT NULL, reason TEXT NOT NULL, state TEXT NOT NULL, created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL, resolved_by TEXT, resolution_reason TEXT, resolved_at INTEGER);
        CREATE INDEX IF NOT EXISTS approvals_state ON approvals (state);
        """);

    public async Task InsertAsync(ApprovalInfo approval, CancellationToken cancellationToken)
    {
        await using var connection = await _tables.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO approvals (id, sandbox_id, requested_by, action, rule, reason, state, created_at, expires_at)
            VALUES ($id, $sandbox, $by, $action, $rule, $reason, 'Pending', $created, $expires)
            """;
        command.Parameters.AddWithValue("$id", approval.Id);
        command.Parameters.AddWithValue("$sandbox", approval.SandboxId);
        command.Parameters.AddWithValue("$by", approval.RequestedBy);
        command.Parameters.AddWithValue("$action", approval.Action);
        command.Parameters.AddWithValue("$rule", approval.Rule);
        command.Parameters.AddWithValue("$reason", approval.Reason);
        command.Parameters.AddWithValue("$created", approval.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$expires", approval.ExpiresAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Moves a pending approval to <paramref name="state"/>; false when it was no longer pending.</summary>
    public async Task<bool> ResolveAsync(string id, ApprovalState state, string resolvedBy, string? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _tables.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE approvals SET state = $state, resolved_by = $by, resolution_reason = $reason, resolved_at = $at
            WHERE id = $id AND state = 'Pending'
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$state", state.ToString());
        command.Parameters.AddWithValue("$by", resolvedBy);
        command.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<ApprovalInfo?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync("WHERE id = $id", id, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<ApprovalInfo>> ListAsync(bool pendingOnly, CancellationToken cancellationToken) =>
        QueryAsync(pendingOnly ? "WHERE state = 'Pending' ORDER BY created_at" : "ORDER BY created_at DESC LIMIT 500", null, cancellationToken);

    private async Task<IReadOnlyList<ApprovalInfo>> QueryAsync(string where, string? id, CancellationToken cancellationToken)
    {
        await using var connection = await _tables.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, sandbox_id, requested_by, action, rule, reason, state, created_at, expires_at, resolved_by, resolution_reason, resolved_at FROM approvals {where}";
        if (id is not null) command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<ApprovalInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new ApprovalInfo
            {
                Id = reader.GetString(0),
                SandboxId = reader.GetString(1),
                RequestedBy = reader.GetString(2),
                Action = reader.GetString(3),
                Rule = reader.GetString(4),
                Reason = reader.GetString(5),
                State = Enum.Parse<ApprovalState>(reader.GetString(6)),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                ResolvedBy = reader.IsDBNull(9) ? null : reader.GetString(9),
                ResolutionReason = reader.IsDBNull(10) ? null : reader.GetString(10),
                ResolvedAt = reader.IsDBNull(11) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11)),
            });
        }

        return list;
    }
}
