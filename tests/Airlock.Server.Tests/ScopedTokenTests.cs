using System.Net.Http.Json;
using System.Text.Json;
using Airlock.Access;
using Airlock.Audit;
using Airlock.Client.Wire;

namespace Airlock.Server.Tests;

/// <summary>Scoped tokens against the real HTTP stack: scopes per route, sandbox binding, expiry, revocation, audit, counts.</summary>
public sealed class ScopedTokenTests
{
    [Fact]
    public async Task FilesReadToken_BoundToA_ReadsA_ButCannotWriteA_NorTouchB()
    {
        await using var h = await ScopedTokenHarness.StartAsync();
        var a = await h.SandboxWithFileAsync();
        var b = await h.SandboxWithFileAsync();
        var minted = await h.MintAsync(new { name = "reader", scopes = new[] { Scopes.FilesRead }, sandbox = a });

        using (var read = await h.SendAsync(HttpMethod.Get, $"/v1/sandboxes/{a}/files?path=/workspace/a.txt", minted.Token))
        {
            Assert.Equal(200, (int)read.StatusCode);
            Assert.Equal("hello", await read.Content.ReadAsStringAsync());
        }

        using (var write = await h.SendAsync(HttpMethod.Put, $"/v1/sandboxes/{a}/files?path=/workspace/a.txt", minted.Token, text: "overwritten"))
        {
            await ProblemAssert.IsProblemAsync(write, 403, "lacks the scope 'files:write'");
        }

        using (var other = await h.SendAsync(HttpMethod.Get, $"/v1/sandboxes/{b}/files?path=/workspace/a.txt", minted.Token))
        {
            await ProblemAssert.IsProblemAsync(other, 403, $"bound to sandbox {a}");
        }

        using (var exec = await h.SendAsync(HttpMethod.Post, $"/v1/sandboxes/{a}/exec", minted.Token, new { command = new[] { "script", "exit:0" } }))
        {
            await ProblemAssert.IsProblemAsync(exec, 403, "sandbox:exec");
        }

        using (var images = await h.SendAsync(HttpMethod.Get, "/v1/images", minted.Token))
        {
            await ProblemAssert.IsProblemAsync(images, 403, "admin token only");
        }

        // The write really did not happen.
        using var reader = new StreamReader(await h.Server.Client.Operations.ReadFileAsync(a, "/workspace/a.txt"));
        Assert.Equal("hello", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Token_StopsWorkingAtExpiry_With401()
    {
        await using var h = await ScopedTokenHarness.StartAsync();
        var a = await h.SandboxWithFileAsync();
        var minted = await h.MintAsync(new { scopes = new[] { Scopes.SandboxRead }, ttl = "10m" });

        using (var before = await h.SendAsync(HttpMethod.Get, $"/v1/sandboxes/{a}", minted.Token)) Assert.Equal(200, (int)before.StatusCode);
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        using var after = await h.SendAsync(HttpMethod.Get, $"/v1/sandboxes/{a}", minted.Token);
        await ProblemAssert.IsProblemAsync(after, 401, "expired");
    }

    [Fact]
    public async Task Token_StopsWorkingAtRevocation_With401_AndUnknownRevocationIs404()
    {
        await using var h = await ScopedTokenHarness.StartAsync();
        var minted = await h.MintAsync(new { scopes = new[] { Scopes.SandboxRead } });
        using (var before = await h.SendAsync(HttpMethod.Get, "/v1/sandboxes", minted.Token)) Assert.Equal(200, (int)before.StatusCode);

        using (var revoke = await h.SendAsync(HttpMethod.Delete, $"/v1/tokens/{minted.Id}", h.Server.Token)) Assert.Equal(200, (int)revoke.StatusCode);
        using (var after = await h.SendAsync(HttpMethod.Get, "/v1/sandboxes", minted.Token)) await ProblemAssert.IsProblemAsync(after, 401, "revoked");
        using var unknown = await h.SendAsync(HttpMethod.Delete, "/v1/tokens/0123456789abcdef", h.Server.Token);
        await ProblemAssert.IsProblemAsync(unknown, 404, "no token");
    }

    [Theory]
    [InlineData("forged")]
    [InlineData("truncated")]
    [InlineData("unknown")]
    public async Task ForgedTruncatedOrUnknownToken_Is401(string kind)
    {
        await using var h = await ScopedTokenHarness.StartAsync();
        var minted = await h.MintAsync(new { scopes = new[] { Scopes.SandboxRead } });
        var parts = minted.Token.Split('.');
        var presented = kind switch
        {
            "forged" => $"{parts[0]}.{parts[1]}.{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}",
            "truncated" => minted.Token[..^3],
            _ => $"alk_0123456789abcdef.{parts[1]}.{parts[2]}",
        };
        using var response = await h.SendAsync(HttpMethod.Get, "/v1/sandboxes", presented);
        await ProblemAssert.IsProblemAsync(response, 401, "invalid bearer token");
    }

    [Fact]
    public async Task MintingWiderThanOwnScopes_Is403()
    {
        await using var h = await ScopedTokenHarness.StartAsync();
        var minter = await h.MintAsync(new { scopes = new[] { Scopes.TokensMint, Scopes.FilesRead } });

        var child = await h.MintAsync(new { scopes = new[] { Scopes.FilesRead } }, minter.Token);
        Assert.Equal([Scopes.FilesRead], child.Scopes);
        using var wider = await h.SendAsync(HttpMethod.Post, "/v1/tokens", minter.Token, new { scopes = new[] { Scopes.FilesRead, Scopes.FilesWrite } });
        await ProblemAssert.IsProblemAsync(wider, 403, "cannot grant scopes it does not hold: files:write");
    }

    [Fact]
    public async Task EveryDenial_IsAudited_WithTokenIdAndReason_AndCounted()
    {
        await using var h = await ScopedTokenHarness.StartAsync();
        var a = await h.SandboxWithFileAsync();
        var b = await h.SandboxWithFileAsync();
        var minted = await h.MintAsync(new { scopes = new[] { Scopes.FilesRead }, sandbox = a });

        (await h.SendAsync(HttpMethod.Put, $"/v1/sandboxes/{a}/files?path=/x", minted.Token, text: "x")).Dispose();
        (await h.SendAsync(HttpMethod.Get, $"/v1/sandboxes/{b}/files?path=/workspace/a.txt", minted.Token)).Dispose();
        (await h.SendAsync(HttpMethod.Delete, $"/v1/tokens/{minted.Id}", h.Server.Token)).Dispose();
        (await h.SendAsync(HttpMethod.Get, $"/v1/sandboxes/{a}/files?path=/workspace/a.txt", minted.Token)).Dispose();

        var denials = h.Audit.Events.Where(e => e.Kind == AuditKinds.AccessDenied).ToList();
        Assert.Equal(3, denials.Count);
        Assert.All(denials, d =>
        {
            Assert.Equal(AuditOutcomes.Denied, d.Outcome);
            Assert.Equal(minted.Id, d.Details["tokenId"]);
            Assert.Equal($"token:{minted.Id}", d.Actor);
            Assert.DoesNotContain(d.Details.Values, v => v.Contains(minted.Token, StringComparison.Ordinal));
        });
        Assert.Contains("files:write", denials[0].Details["reason"], StringComparison.Ordinal);
        Assert.Contains($"bound to sandbox {a}", denials[1].Details["reason"], StringComparison.Ordinal);
        Assert.Contains("revoked", denials[2].Details["reason"], StringComparison.Ordinal);
        Assert.Equal(["403", "403", "401"], denials.Select(d => d.Details["status"]));

        var countsA = await h.Server.Client.GetAccessFailuresAsync(a);
        Assert.Equal((1, 1), (countsA.Unauthorized, countsA.Forbidden));
        Assert.Equal(1, (await h.Server.Client.GetAccessFailuresAsync(b)).Forbidden);
        var listed = (await h.Server.Client.Tokens.ListAsync()).Single(t => t.Id == minted.Id);
        Assert.True(listed.Revoked);
        Assert.Equal(3, listed.FailedAccess!.Total);
    }

    [Fact]
    public async Task LabelBoundToken_CreatesOnlyLabelledSandboxes_AndListsOnlyThose()
    {
        await using var h = await ScopedTokenHarness.StartAsync();
        var mine = await h.SandboxWithFileAsync(new() { ["team"] = "a" });
        await h.SandboxWithFileAsync(new() { ["team"] = "b" });
        var minted = await h.MintAsync(new { scopes = new[] { Scopes.SandboxCreate, Scopes.SandboxRead }, labels = new { team = "a" } });

        using (var unlabelled = await h.SendAsync(HttpMethod.Post, "/v1/sandboxes", minted.Token, new { image = "python" }))
        {
            await ProblemAssert.IsProblemAsync(unlabelled, 403, "team=a");
        }

        using (var labelled = await h.SendAsync(HttpMethod.Post, "/v1/sandboxes", minted.Token, new { labels = new { team = "a" } }))
        {
            Assert.Equal(201, (int)labelled.StatusCode);
        }

        using var list = await h.SendAsync(HttpMethod.Get, "/v1/sandboxes", minted.Token);
        var sandboxes = (await list.Content.ReadFromJsonAsync<SandboxList>(AirlockJson.Options))!.Sandboxes;
        Assert.Equal(2, sandboxes.Count);
        Assert.All(sandboxes, s => Assert.Equal("a", s.Labels["team"]));
        Assert.Contains(sandboxes, s => s.Id == mine);
    }

    [Fact]
    public async Task SandboxBoundToken_CannotCreate()
    {
        await using var h = await ScopedTokenHarness.StartAsync();
        var a = await h.SandboxWithFileAsync();
        var minted = await h.MintAsync(new { scopes = new[] { Scopes.SandboxCreate }, sandbox = a });
        using var response = await h.SendAsync(HttpMethod.Post, "/v1/sandboxes", minted.Token, new { });
        await ProblemAssert.IsProblemAsync(response, 403, "cannot create sandboxes");
    }

    [Theory]
    [InlineData("""{"scopes":["files:everything"]}""", "unknown scope")]
    [InlineData("""{"scopes":["files:read"],"ttl":"48h"}""", "at most 24h")]
    [InlineData("""{"scopes":["files:read"],"sandbox":"sb-1","labels":{"a":"b"}}""", "not both")]
    [InlineData("""{"scopes":"files:read"}""", "'scopes' must be an array")]
    [InlineData("""{"name":"x"}""", "'scopes' is required")]
    [InlineData("""{"scopes":["files:read"],"ttl":"soon"}""", "'ttl'")]
    [InlineData("""{"scopes":["files:read"]""", "not valid JSON")]
    public async Task MintWithBadInput_Is400(string body, string detail)
    {
        await using var h = await ScopedTokenHarness.StartAsync();
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await h.Server.Http.PostAsync("/v1/tokens", content);
        await ProblemAssert.IsProblemAsync(response, 400, detail);
    }

    [Fact]
    public async Task TokenListing_ShowsNoSecrets()
    {
        await using var h = await ScopedTokenHarness.StartAsync();
        var minted = await h.MintAsync(new { name = "ci", scopes = new[] { Scopes.FilesRead } });
        var body = await h.Server.Http.GetStringAsync("/v1/tokens");
        Assert.Contains(minted.Id, body, StringComparison.Ordinal);
        Assert.DoesNotContain(minted.Token.Split('.')[1], body, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("ci", doc.RootElement.GetProperty("tokens")[0].GetProperty("name").GetString());
    }
}
