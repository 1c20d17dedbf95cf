using System.Text;
using Airlock.Access;
using Airlock.Audit;
using Airlock.Governance.Tokens;

namespace Airlock.Governance.Tests;

public sealed class TokenServiceTests : IDisposable
{
    private readonly TokenServiceHarness _h = new();

    public void Dispose() => _h.Dispose();

    private Task<MintedToken> MintAsAdminAsync(TokenRequest request) =>
        TokenServiceHarness.AsAsync(Caller.Admin, () => _h.Service.MintAsync(request));

    [Fact]
    public async Task Mint_ThenValidate_GivesACallerWithTheScopesAndTheBinding()
    {
        var minted = await MintAsAdminAsync(new TokenRequest { Name = "reader", Scopes = [Scopes.FilesRead], Sandbox = "sb-a" });

        Assert.StartsWith("alk_" + minted.Id + ".", minted.Token, StringComparison.Ordinal);
        Assert.Equal(_h.Clock.GetUtcNow() + TimeSpan.FromMinutes(15), minted.ExpiresAt);
        var caller = await _h.CallerOfAsync(minted);
        Assert.Equal($"token:{minted.Id}", caller.Actor);
        Assert.Equal(minted.Id, caller.TokenId);
        Assert.False(caller.IsAdmin);
        Assert.True(caller.Has(Scopes.FilesRead));
        Assert.False(caller.Has(Scopes.FilesWrite));
        Assert.Equal("sb-a", caller.SandboxId);
    }

    [Fact]
    public async Task Validate_AtExpiry_IsRefusedSayingItExpired()
    {
        var minted = await MintAsAdminAsync(new TokenRequest { Scopes = [Scopes.FilesRead], Ttl = TimeSpan.FromMinutes(5) });
        _h.Clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.NotNull((await _h.Service.ValidateAsync(minted.Token)).Caller);

        _h.Clock.Advance(TimeSpan.FromSeconds(1));
        var check = await _h.Service.ValidateAsync(minted.Token);
        Assert.Null(check.Caller);
        Assert.Contains("expired", check.Failure, StringComparison.Ordinal);
        Assert.Equal(minted.Id, check.TokenId);
    }

    [Fact]
    public async Task Validate_AfterRevocation_IsRefusedSayingItWasRevoked()
    {
        var minted = await MintAsAdminAsync(new TokenRequest { Scopes = [Scopes.FilesRead] });
        var revoked = await TokenServiceHarness.AsAsync(Caller.Admin, () => _h.Service.RevokeAsync(minted.Id));

        Assert.True(revoked.Revoked);
        var check = await _h.Service.ValidateAsync(minted.Token);
        Assert.Null(check.Caller);
        Assert.Contains("revoked", check.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("signature")]
    [InlineData("secret")]
    [InlineData("truncated")]
    [InlineData("garbage")]
    public async Task Validate_ForgedOrDamagedToken_IsRefusedWithoutNamingATokenId(string damage)
    {
        var minted = await MintAsAdminAsync(new TokenRequest { Scopes = [Scopes.FilesRead] });
        var parts = minted.Token.Split('.');
        var bad = damage switch
        {
            "signature" => $"{parts[0]}.{parts[1]}.{Flip(parts[2])}",
            "secret" => $"{parts[0]}.{Flip(parts[1])}.{parts[2]}",
            "truncated" => minted.Token[..^5],
            _ => "alk_not-a-token",
        };

        var check = await _h.Service.ValidateAsync(bad);
        Assert.Null(check.Caller);
        Assert.Null(check.TokenId);
        Assert.False(string.IsNullOrEmpty(check.Failure));
    }

    [Fact]
    public async Task Validate_WellSignedTokenWithAnIdNotInTheTable_IsUnknown()
    {
        // Same key, another table: as after the token table was lost. The signature is right, the id is not known.
        var otherDirectory = Directory.CreateTempSubdirectory("airlock-tokens-other-").FullName;
        try
        {
            var other = new TokenService(Path.Combine(otherDirectory, "tokens.db"), _h.Key, _h.Clock);
            var minted = await TokenServiceHarness.AsAsync(Caller.Admin, () => other.MintAsync(new TokenRequest { Scopes = [Scopes.FilesRead] }));
            var check = await _h.Service.ValidateAsync(minted.Token);
            Assert.Null(check.Caller);
            Assert.Contains("unknown token", check.Failure, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(otherDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Validate_TokenSignedWithAnotherKey_IsRefused()
    {
        var minted = await MintAsAdminAsync(new TokenRequest { Scopes = [Scopes.FilesRead] });
        var stranger = new TokenService(_h.DatabasePath, new byte[32], _h.Clock);
        var check = await stranger.ValidateAsync(minted.Token);
        Assert.Null(check.Caller);
        Assert.Contains("signature", check.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenTable_HoldsNeitherTheTokenNorItsSecret()
    {
        var minted = await MintAsAdminAsync(new TokenRequest { Scopes = [Scopes.FilesRead] });
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var secret = minted.Token.Split('.')[1];
        foreach (var file in Directory.GetFiles(_h.Directory))
        {
            var text = Encoding.ASCII.GetString(await File.ReadAllBytesAsync(file));
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TokenTable_IsOwnerOnly()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_h.DatabasePath));
    }

    [Fact]
    public async Task MintAndRevoke_AreAudited_WithTheTokenIdButNeverTheToken()
    {
        var minted = await MintAsAdminAsync(new TokenRequest { Name = "ci", Scopes = [Scopes.FilesRead], Sandbox = "sb-a" });
        await TokenServiceHarness.AsAsync(Caller.Admin, () => _h.Service.RevokeAsync(minted.Id));

        var events = _h.Audit.Events;
        Assert.Equal([AuditKinds.TokenMinted, AuditKinds.TokenRevoked], events.Select(e => e.Kind));
        Assert.All(events, e =>
        {
            Assert.Equal("admin", e.Actor);
            Assert.Equal(minted.Id, e.Details["tokenId"]);
            Assert.Equal("sb-a", e.SandboxId);
            Assert.DoesNotContain(e.Details.Values, v => v.Contains(minted.Token.Split('.')[1], StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task Revoke_UnknownId_IsNotFound()
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => TokenServiceHarness.AsAsync(Caller.Admin, () => _h.Service.RevokeAsync("0123456789abcdef")));
        Assert.Equal(AirlockErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task ScopedMinter_SeesAndRevokesOnlyItselfAndItsChildren()
    {
        var minter = await _h.CallerOfAsync(await MintAsAdminAsync(new TokenRequest { Scopes = [Scopes.TokensMint, Scopes.FilesRead] }));
        var stranger = await MintAsAdminAsync(new TokenRequest { Scopes = [Scopes.FilesRead] });
        var child = await TokenServiceHarness.AsAsync(minter, () => _h.Service.MintAsync(new TokenRequest { Scopes = [Scopes.FilesRead] }));

        var visible = await TokenServiceHarness.AsAsync(minter, () => _h.Service.ListAsync());
        Assert.Equal(new[] { minter.TokenId, child.Id }.Order(), visible.Select(t => t.Id).Order());
        var e = await Assert.ThrowsAsync<AirlockException>(() => TokenServiceHarness.AsAsync(minter, () => _h.Service.RevokeAsync(stranger.Id)));
        Assert.Equal(AirlockErrorKind.Forbidden, e.Kind);
    }

    [Fact]
    public async Task Child_NeverOutlivesItsParent()
    {
        var parent = await MintAsAdminAsync(new TokenRequest { Scopes = [Scopes.TokensMint, Scopes.FilesRead], Ttl = TimeSpan.FromMinutes(10) });
        var minter = await _h.CallerOfAsync(parent);
        var child = await TokenServiceHarness.AsAsync(minter, () => _h.Service.MintAsync(new TokenRequest { Scopes = [Scopes.FilesRead], Ttl = TimeSpan.FromHours(2) }));
        Assert.Equal(parent.ExpiresAt, child.ExpiresAt);
    }

    private static string Flip(string text) => (text[0] == 'A' ? 'B' : 'A') + text[1..];
}
