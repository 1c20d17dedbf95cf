using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Airlock.Server.Tests;

public sealed class AuthTests
{
    [Fact]
    public async Task Request_WithoutToken_Is401ProblemJson()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Anonymous.GetAsync("/v1/sandboxes");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, 401, "bearer token");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task Request_WithWrongToken_Is401()
    {
        await using var server = await ServerFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sandboxes");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.Token[..^1] + (server.Token[^1] == 'A' ? 'B' : 'A'));
        using var response = await server.Anonymous.SendAsync(request);
        await ProblemAssert.IsProblemAsync(response, 401, "invalid bearer token");
    }

    [Fact]
    public async Task Client_WithWrongToken_ThrowsUnauthorized()
    {
        await using var server = await ServerFixture.StartAsync();
        using var client = new Airlock.Client.AirlockClient(server.Address, "nope");
        var e = await Assert.ThrowsAsync<AirlockException>(() => client.Operations.ListAsync());
        Assert.Equal(AirlockErrorKind.Unauthorized, e.Kind);
    }

    [Fact]
    public async Task Health_NeedsNoToken()
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Anonymous.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", doc.RootElement.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task TokenFile_IsOwnerOnly_AndReusedOnRestart()
    {
        await using var server = await ServerFixture.StartAsync();
        var mode = File.GetUnixFileMode(server.TokenPath);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.Equal(43, server.Token.Length); // 32 bytes, base64url without padding
        Assert.Equal(server.Token, AdminToken.LoadOrCreate(server.TokenPath));
    }
}
