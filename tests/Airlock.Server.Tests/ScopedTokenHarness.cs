using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Airlock.Access;
using Airlock.Governance.Tests;
using Microsoft.Extensions.Time.Testing;

namespace Airlock.Server.Tests;

/// <summary>A daemon on Kestrel with a fake clock and a recording audit log, and helpers to mint and use scoped tokens.</summary>
internal sealed class ScopedTokenHarness : IAsyncDisposable
{
    private ScopedTokenHarness(ServerFixture server, FakeTimeProvider clock, RecordingAuditLog audit)
    {
        Server = server;
        Clock = clock;
        Audit = audit;
    }

    public ServerFixture Server { get; }

    public FakeTimeProvider Clock { get; }

    public RecordingAuditLog Audit { get; }

    public static async Task<ScopedTokenHarness> StartAsync()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var audit = new RecordingAuditLog();
        var server = await ServerFixture.StartAsync(access: data => AccessControl.Open(data, clock, audit));
        return new ScopedTokenHarness(server, clock, audit);
    }

    /// <summary>A running sandbox (created with the admin token) holding /workspace/a.txt.</summary>
    public async Task<string> SandboxWithFileAsync(Dictionary<string, string>? labels = null)
    {
        var sandbox = await Server.Client.Operations.CreateAsync(new SandboxSpec { Labels = labels ?? [] });
        await Server.Client.Operations.WriteFileAsync(sandbox.Id, "/workspace/a.txt", new MemoryStream("hello"u8.ToArray()));
        return sandbox.Id;
    }

    /// <summary>Mints with the admin token over REST; returns the wire answer.</summary>
    public async Task<MintedToken> MintAsync(object body, string? bearer = null)
    {
        using var response = await SendAsync(HttpMethod.Post, "/v1/tokens", bearer ?? Server.Token, body);
        Assert.Equal(201, (int)response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<MintedToken>(Client.Wire.AirlockJson.Options))!;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string bearer, object? json = null, string? text = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (json is not null) request.Content = new StringContent(JsonSerializer.Serialize(json), Encoding.UTF8, "application/json");
        if (text is not null) request.Content = new StringContent(text);
        return await Server.Anonymous.SendAsync(request);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
