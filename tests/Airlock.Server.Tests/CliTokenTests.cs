using System.Text.Json;
using Airlock.Access;

namespace Airlock.Server.Tests;

/// <summary><c>airlock token create|ls|revoke</c>, through a daemon and embedded (the data directory directly).</summary>
public sealed class CliTokenTests
{
    [Fact]
    public async Task Create_PrintsTheTokenAlone_WhichTheDaemonAccepts_ThenRevokeEndsIt()
    {
        await using var server = await ServerFixture.StartAsync();
        var data = Path.GetDirectoryName(server.TokenPath)!;
        var (exit, io) = await CliHarness.RunAsync("--host", server.Address.ToString(), "--data", data,
            "token", "create", "--scope", "sandbox:read", "--name", "agent", "--ttl", "5m");
        Assert.Equal(0, exit);
        var token = io.Stdout.TrimEnd('\n');
        Assert.Equal(io.Stdout, token + "\n");
        Assert.StartsWith("alk_", token, StringComparison.Ordinal);

        using var client = new Client.AirlockClient(server.Address, token);
        Assert.Empty(await client.ListSandboxesAsync());

        (exit, io) = await CliHarness.RunAsync("--host", server.Address.ToString(), "--data", data, "token", "ls", "--json");
        Assert.Equal(0, exit);
        using (var doc = JsonDocument.Parse(io.Stdout))
        {
            var listed = doc.RootElement.EnumerateArray().Single();
            Assert.Equal("agent", listed.GetProperty("name").GetString());
            Assert.DoesNotContain(token.Split('.')[1], io.Stdout, StringComparison.Ordinal);
        }

        var id = token["alk_".Length..token.IndexOf('.', StringComparison.Ordinal)];
        (exit, io) = await CliHarness.RunAsync("--host", server.Address.ToString(), "--data", data, "token", "revoke", id);
        Assert.Equal(0, exit);
        var e = await Assert.ThrowsAsync<AirlockException>(() => client.ListSandboxesAsync());
        Assert.Equal(AirlockErrorKind.Unauthorized, e.Kind);
    }

    [Fact]
    public async Task Embedded_MintsIntoTheDataDirectory_ThatARunningDaemonReads()
    {
        await using var server = await ServerFixture.StartAsync();
        var data = Path.GetDirectoryName(server.TokenPath)!;
        var (exit, io) = await CliHarness.RunAsync("--data", data, "token", "create", "--scope", Scopes.FilesRead, "--json");
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(io.Stdout);
        var token = doc.RootElement.GetProperty("token").GetString()!;
        using var client = new Client.AirlockClient(server.Address, token);
        var e = await Assert.ThrowsAsync<AirlockException>(() => client.ListSandboxesAsync());
        Assert.Equal(AirlockErrorKind.Forbidden, e.Kind); // accepted as a token, but it lacks sandbox:read
        Assert.Contains("sandbox:read", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("token create --scope files:everything", "unknown scope")]
    [InlineData("token create --scope files:read --ttl 3d", "at most 24h")]
    [InlineData("token create --scope files:read --sandbox sb-1 --label a=b", "not both")]
    [InlineData("token create", "--scope")]
    public async Task BadFlags_ExitTwo_WithOneLine(string args, string message)
    {
        var data = Directory.CreateTempSubdirectory("airlock-cli-tokens-").FullName;
        try
        {
            var (exit, io) = await CliHarness.RunAsync(["--data", data, .. args.Split(' ')]);
            Assert.Equal(2, exit);
            Assert.Contains(message, io.Stderr, StringComparison.Ordinal);
            Assert.Empty(io.Stdout);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }
}
