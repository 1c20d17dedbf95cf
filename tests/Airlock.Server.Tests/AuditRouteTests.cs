using System.Net;
using System.Text.Json;
using Airlock.Audit;
using Microsoft.Data.Sqlite;

namespace Airlock.Server.Tests;

public sealed class AuditRouteTests
{
    [Fact]
    public async Task Query_FiltersAndReturnsRecordsOldestFirst()
    {
        await using var server = await ServerFixture.StartAsync();
        await AppendAsync(server, 6);
        var execs = await server.Client.Audit.QueryAsync(new AuditQuery { Kind = AuditKinds.Exec, SandboxId = "sb-1" });
        Assert.Equal([1L, 3, 5], execs.Select(r => r.Sequence));
        Assert.All(execs, r => Assert.Equal("sb-1", r.Event.SandboxId));
        Assert.Equal("python3", execs[0].Event.Details["argv0"]);

        var newest = await server.Client.Audit.QueryAsync(new AuditQuery { Newest = true, Limit = 2 });
        Assert.Equal([5L, 6], newest.Select(r => r.Sequence));
        var after = await server.Client.Audit.QueryAsync(new AuditQuery { AfterSequence = 4, Since = DateTimeOffset.UtcNow.AddMinutes(-5) });
        Assert.Equal([5L, 6], after.Select(r => r.Sequence));
    }

    [Theory]
    [InlineData("limit=0", "'limit' must be a whole number from 1 to 10000")]
    [InlineData("limit=lots", "'limit' must be a whole number")]
    [InlineData("after=-3", "'after' must be a record's sequence number")]
    [InlineData("since=yesterday", "'since': 'yesterday' is neither a duration")]
    [InlineData("outcome=maybe", "'outcome' must be one of ok, denied")]
    [InlineData("newest=perhaps", "'newest' must be true or false")]
    public async Task Query_WithABadValue_Is400NamingTheParameter(string query, string detail)
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Http.GetAsync("/v1/audit?" + query);
        await ProblemAssert.IsProblemAsync(response, 400, detail);
        using var export = await server.Http.GetAsync("/v1/audit/export?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, export.StatusCode);
    }

    [Fact]
    public async Task Export_StreamsJsonLines_WithTheSiemFields()
    {
        await using var server = await ServerFixture.StartAsync();
        await AppendAsync(server, 2500);
        using var response = await server.Http.GetAsync("/v1/audit/export", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2500, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var root = first.RootElement;
        Assert.Equal(["seq", "time", "kind", "actor", "outcome", "sandbox", "details", "prev_hash", "hash"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, root.GetProperty("seq").GetInt64());
        Assert.Equal(new string('0', 64), root.GetProperty("prev_hash").GetString());
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(root.GetProperty("hash").GetString(), second.RootElement.GetProperty("prev_hash").GetString());
        using var last = JsonDocument.Parse(lines[^1]);
        Assert.Equal(2500, last.RootElement.GetProperty("seq").GetInt64());

        using var sdk = new MemoryStream();
        await server.Client.Audit.ExportAsync(sdk, new AuditQuery { Kind = AuditKinds.FileWrite });
        Assert.Equal(1250, System.Text.Encoding.UTF8.GetString(sdk.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Verify_IsOkOnAFreshTrail_AndNamesTheRecordAfterTampering()
    {
        await using var server = await ServerFixture.StartAsync();
        await AppendAsync(server, 10);
        var intact = await server.Client.Audit.VerifyAsync();
        Assert.True(intact.Ok);
        Assert.Equal(10, intact.Records);

        using (var connection = new SqliteConnection($"Data Source={server.AuditDatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE audit_records SET outcome = 'ok' WHERE seq = 4";
            command.ExecuteNonQuery();
        }

        using var response = await server.Http.GetAsync("/v1/audit/verify");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(body.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(4, body.RootElement.GetProperty("firstBad").GetProperty("sequence").GetInt64());
        Assert.Contains("record 4 was modified", body.RootElement.GetProperty("firstBad").GetProperty("reason").GetString(), StringComparison.Ordinal);
        var broken = await server.Client.Audit.VerifyAsync();
        Assert.Equal(4, broken.FirstBad?.Sequence);
    }

    [Fact]
    public async Task AuditRoutes_NeedAToken()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Anonymous.GetAsync("/v1/audit");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>Odd records are execs in sb-1, even ones file writes in sb-2, outcome denied every fourth.</summary>
    internal static async Task AppendAsync(ServerFixture server, int count)
    {
        await Task.WhenAll(Enumerable.Range(1, count).Select(i => server.Audit.AppendAsync(Event(i))));
    }

    internal static AuditEvent Event(int i) => new()
    {
        Kind = i % 2 == 1 ? AuditKinds.Exec : AuditKinds.FileWrite,
        Actor = "admin",
        Outcome = i % 4 == 0 ? AuditOutcomes.Denied : AuditOutcomes.Ok,
        SandboxId = i % 2 == 1 ? "sb-1" : "sb-2",
        Details = new Dictionary<string, string> { ["argv0"] = "python3", ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };
}
