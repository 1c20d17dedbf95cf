using System.Text.Json;
using Airlock.Audit;
using Airlock.Audit.Sqlite;
using Microsoft.Data.Sqlite;

namespace Airlock.Server.Tests;

/// <summary><c>airlock audit</c> embedded (reading {data}/audit.db) and against a daemon.</summary>
public sealed class AuditCliTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("airlock-audit-cli-").FullName;

    [Fact]
    public async Task Verify_ExitsZeroWhenIntact_OneNamingTheRecordWhenTampered()
    {
        await FillAsync(12);
        var (exit, io) = await CliHarness.RunAsync("audit", "verify", "--data", _data);
        Assert.True(exit == 0, io.Stderr);
        Assert.Contains("audit trail intact: 12 record(s)", io.Stdout, StringComparison.Ordinal);

        Sql("DELETE FROM audit_records WHERE seq = 5");
        (exit, io) = await CliHarness.RunAsync("audit", "verify", "--data", _data);
        Assert.Equal(1, exit);
        Assert.Contains("airlock: audit trail broken at record 5: record 5 is missing", io.Stderr, StringComparison.Ordinal);

        (exit, io) = await CliHarness.RunAsync("audit", "verify", "--json", "--data", _data);
        Assert.Equal(1, exit);
        using var json = JsonDocument.Parse(io.Stdout);
        Assert.False(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(5, json.RootElement.GetProperty("firstBad").GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task Verify_WithNoTrailYet_IsIntactAndCreatesNothing()
    {
        var (exit, io) = await CliHarness.RunAsync("audit", "verify", "--data", _data);
        Assert.True(exit == 0, io.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_data));
    }

    [Fact]
    public async Task QueryTailAndExport_ReadTheFile()
    {
        await FillAsync(8);
        var (exit, io) = await CliHarness.RunAsync("audit", "query", "--kind", "exec", "--outcome", "ok", "--since", "1h", "--data", _data);
        Assert.True(exit == 0, io.Stderr);
        var lines = io.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.Contains(" exec ", l, StringComparison.Ordinal));

        (exit, io) = await CliHarness.RunAsync("audit", "tail", "-n", "3", "--data", _data);
        Assert.Equal(0, exit);
        Assert.Equal(["6", "7", "8"], io.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimStart().Split(' ')[0]));

        var file = Path.Combine(_data, "export.jsonl");
        (exit, io) = await CliHarness.RunAsync("audit", "export", "-o", file, "--data", _data);
        Assert.True(exit == 0, io.Stderr);
        var exported = await File.ReadAllLinesAsync(file);
        Assert.Equal(8, exported.Length);
        using var first = JsonDocument.Parse(exported[0]);
        Assert.Equal(1, first.RootElement.GetProperty("seq").GetInt64());
    }

    [Theory]
    [InlineData("--since: 'soon' is neither a duration", "audit", "query", "--since", "soon")]
    [InlineData("--outcome: 'meh' is not an outcome", "audit", "export", "--outcome", "meh")]
    [InlineData("-n: '0' is not a positive whole number", "audit", "tail", "-n", "0")]
    [InlineData("--limit: 20000 is more than 10000", "audit", "query", "--limit", "20000")]
    [InlineData("unrecognized command or argument '--bogus'", "audit", "verify", "--bogus")]
    public async Task BadFlags_PrintOneLine_Exit2(string expected, params string[] args)
    {
        var (exit, io) = await CliHarness.RunAsync([.. args, "--data", _data]);
        Assert.Equal(2, exit);
        var line = Assert.Single(io.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_AgainstADaemon_UsesItsApi()
    {
        await using var server = await ServerFixture.StartAsync();
        await AuditRouteTests.AppendAsync(server, 5);
        var daemon = new[] { "--host", server.Address.ToString(), "--data", Path.GetDirectoryName(server.TokenPath)! };
        var (exit, io) = await CliHarness.RunAsync(["audit", "verify", .. daemon]);
        Assert.True(exit == 0, io.Stderr);
        Assert.Contains("5 record(s)", io.Stdout, StringComparison.Ordinal);
        (exit, io) = await CliHarness.RunAsync(["audit", "query", "--json", "--sandbox", "sb-2", .. daemon]);
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(io.Stdout);
        Assert.Equal(2, json.RootElement.GetArrayLength());
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private async Task FillAsync(int count)
    {
        await using var log = new SqliteAuditLog(new SqliteAuditLogOptions { DatabasePath = Path.Combine(_data, "audit.db"), SigningKeyPath = Path.Combine(_data, "audit.key") });
        for (var i = 1; i <= count; i++) await log.AppendAsync(AuditRouteTests.Event(i));
    }

    private void Sql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "audit.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
