using Airlock.Access;
using Airlock.Client;

namespace Airlock.Integration.Tests;

/// <summary>A scoped token against a real <c>airlock serve</c> and real container sandboxes.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ScopedTokenDaemonTests : IAsyncLifetime
{
    private readonly TempDataDir _data = new();
    private DaemonProcess _daemon = null!;

    public async Task InitializeAsync()
    {
        _daemon = new DaemonProcess(_data.Path);
        await _daemon.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task FilesReadToken_BoundToA_ReadsA_IsRefusedWritingA_AndTouchingB()
    {
        using var admin = new AirlockClient(_daemon.Url, _daemon.Token);
        await using var a = await admin.CreateSandboxAsync(new SandboxSpec { Isolation = "container" });
        await using var b = await admin.CreateSandboxAsync(new SandboxSpec { Isolation = "container" });
        await a.ExecAsync("sh", "-c", "echo from-a > /workspace/a.txt");
        await b.ExecAsync("sh", "-c", "echo from-b > /workspace/b.txt");
        var minted = await admin.Tokens.MintAsync(new TokenRequest { Name = "agent", Scopes = [Scopes.FilesRead], Sandbox = a.Id, Ttl = TimeSpan.FromMinutes(5) });

        using var agent = new AirlockClient(_daemon.Url, minted.Token);
        await using (var read = await agent.Operations.ReadFileAsync(a.Id, "/workspace/a.txt"))
        using (var reader = new StreamReader(read))
        {
            Assert.Equal("from-a\n", await reader.ReadToEndAsync());
        }

        var write = await Assert.ThrowsAsync<AirlockException>(() =>
            agent.Operations.WriteFileAsync(a.Id, "/workspace/a.txt", new MemoryStream("overwritten"u8.ToArray())));
        Assert.Equal(AirlockErrorKind.Forbidden, write.Kind);
        Assert.Contains(Scopes.FilesWrite, write.Message, StringComparison.Ordinal);

        var other = await Assert.ThrowsAsync<AirlockException>(() => agent.Operations.ReadFileAsync(b.Id, "/workspace/b.txt"));
        Assert.Equal(AirlockErrorKind.Forbidden, other.Kind);
        Assert.Contains($"bound to sandbox {a.Id}", other.Message, StringComparison.Ordinal);

        var exec = await Assert.ThrowsAsync<AirlockException>(async () =>
        {
            await foreach (var _ in agent.Operations.ExecStreamAsync(a.Id, new ExecRequest { Command = ["true"] }))
            {
            }
        });
        Assert.Equal(AirlockErrorKind.Forbidden, exec.Kind);

        // The refused write changed nothing inside the real sandbox, and both refusals were counted.
        var check = await a.ExecAsync("cat", "/workspace/a.txt");
        Assert.Equal("from-a\n", check.StdoutText);
        Assert.Equal(2, (await admin.GetAccessFailuresAsync(a.Id)).Forbidden);
        Assert.Equal(1, (await admin.GetAccessFailuresAsync(b.Id)).Forbidden);
    }
}
