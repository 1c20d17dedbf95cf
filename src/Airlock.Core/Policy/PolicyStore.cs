using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Airlock.Core.State;
using Microsoft.Data.Sqlite;

namespace Airlock.Core.Policy;

/// <summary>
/// Named, versioned policies in the data directory's SQLite file. A version is immutable: a sandbox created with
/// <c>strict@2</c> keeps exactly that text, whatever is stored later. Inline policies (a sandbox's <c>--policy FILE</c>)
/// are kept too, under <c>inline-</c> and their hash, so every sandbox's policy can be read back.
/// </summary>
public sealed partial class PolicyStore(string databasePath, TimeProvider? time = null) : IPolicyOperations
{
    public const string InlinePrefix = "inline-";

    private readonly StateTables _tables = new(databasePath, """
        CREATE TABLE IF NOT EXISTS policies (
            name TEXT NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL, created_at INTEGER NOT NULL, text TEXT NOT NULL,
            PRIMARY KEY (name, version));
        """);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Whether <paramref name="text"/> is a reference (<c>name</c> or <c>name@3</c>) rather than a policy document.</summary>
    public static bool IsReference(string text) => Reference().IsMatch(text);

    /// <summary>Validates and stores <paramref name="text"/> as the next version of <paramref name="name"/>; the same text as the latest version adds nothing.</summary>
    public async Task<PolicyInfo> PutAsync(string name, string text, CancellationToken cancellationToken = default)
    {
        if (!Name().IsMatch(name) || name.StartsWith(InlinePrefix, StringComparison.Ordinal))
        {
            throw AirlockException.Invalid($"'{name}' is not a policy name; use 1-63 characters of letters, digits, '.', '_' and '-', starting with a letter or digit (not '{InlinePrefix}')");
        }

        PolicyLoader.Load(text, name);
        return await InsertAsync(name, text, cancellationToken);
    }

    /// <summary>Stores an inline policy under its hash (idempotent) and returns it.</summary>
    public async Task<PolicyInfo> PutInlineAsync(string text, CancellationToken cancellationToken = default)
    {
        var name = InlinePrefix + Sha256(text)[..16];
        return await GetLatestAsync(name, cancellationToken) ?? await InsertAsync(name, text, cancellationToken);
    }

    /// <summary>Resolves <c>name</c> (latest version) or <c>name@version</c>.</summary>
    public async Task<PolicyInfo> GetAsync(string reference, CancellationToken cancellationToken = default)
    {
        var match = Reference().Match(reference);
        if (!match.Success) throw AirlockException.Invalid($"'{reference}' is not a policy reference; use NAME or NAME@VERSION");
        var name = match.Groups["name"].Value;
        PolicyInfo? found;
        if (match.Groups["version"].Success)
        {
            var version = int.TryParse(match.Groups["version"].Value, out var v) ? v : -1;
            found = (await QueryAsync("WHERE name = $name AND version = $version", name, version, cancellationToken)).SingleOrDefault();
        }
        else
        {
            found = await GetLatestAsync(name, cancellationToken);
        }

        return found ?? throw AirlockException.NotFound(
            $"no stored policy '{reference}'; store one with 'airlock policy set {name} FILE' or list them with 'airlock policy ls'");
    }

    /// <summary>The latest version of every named policy (inline ones only when asked).</summary>
    public async Task<IReadOnlyList<PolicyInfo>> ListAsync(bool includeInline = false, CancellationToken cancellationToken = default)
    {
        var all = await QueryAsync("WHERE version = (SELECT MAX(version) FROM policies p WHERE p.name = policies.name) ORDER BY name", null, null, cancellationToken);
        return includeInline ? all : [.. all.Where(p => !p.Name.StartsWith(InlinePrefix, StringComparison.Ordinal))];
    }

    /// <summary>Every version of one name, oldest first.</summary>
    public async Task<IReadOnlyList<PolicyInfo>> HistoryAsync(string name, CancellationToken cancellationToken = default) =>
        await QueryAsync("WHERE name = $name ORDER BY version", name, null, cancellationToken);

    private async Task<PolicyInfo?> GetLatestAsync(string name, CancellationToken cancellationToken) =>
        (await QueryAsync("WHERE name = $name ORDER BY version DESC LIMIT 1", name, null, cancellationToken)).SingleOrDefault();

    private async Task<PolicyInfo> InsertAsync(string name, string text, CancellationToken cancellationToken)
    {
        var hash = Sha256(text);
        await using var connection = await _tables.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction(deferred: false);
        var latest = (await QueryAsync(connection, "WHERE name = $name ORDER BY version DESC LIMIT 1", name, null, cancellationToken)).SingleOrDefault();
        if (latest is not null && latest.Sha256 == hash) return latest;
        var info = new PolicyInfo { Name = name, Version = (latest?.Version ?? 0) + 1, Sha256 = hash, CreatedAt = _time.GetUtcNow(), Text = text };
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO policies (name, version, sha256, created_at, text) VALUES ($name, $version, $sha, $created, $text)";
        command.Parameters.AddWithValue("$name", info.Name);
        command.Parameters.AddWithValue("$version", info.Version);
        command.Parameters.AddWithValue("$sha", info.Sha256);
        command.Parameters.AddWithValue("$created", info.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$text", info.Text);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    private async Task<IReadOnlyList<PolicyInfo>> QueryAsync(string where, string? name, int? version, CancellationToken cancellationToken)
    {
        await using var connection = await _tables.OpenAsync(cancellationToken);
        return await QueryAsync(connection, where, name, version, cancellationToken);
    }

    private static async Task<IReadOnlyList<PolicyInfo>> QueryAsync(SqliteConnection connection, string where, string? name, int? version, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name, version, sha256, created_at, text FROM policies {where}";
        if (name is not null) command.Parameters.AddWithValue("$name", name);
        if (version is not null) command.Parameters.AddWithValue("$version", version);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<PolicyInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new PolicyInfo
            {
                Name = reader.GetString(0),
                Version = reader.GetInt32(1),
                Sha256 = reader.GetString(2),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                Text = reader.GetString(4),
            });
        }

        return list;
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}\z")]
    private static partial Regex Name();

    [GeneratedRegex(@"^(?<name>[A-Za-z0-9][A-Za-z0-9._-]{0,62})(@(?<version>[0-9]{1,9}))?\z")]
    private static partial Regex Reference();
}
