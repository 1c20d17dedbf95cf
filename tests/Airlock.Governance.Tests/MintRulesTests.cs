using Airlock.Access;
using Airlock.Governance.Tokens;

namespace Airlock.Governance.Tests;

public sealed class MintRulesTests
{
    private static readonly TokenLimits Limits = new();

    private static Caller Scoped(string[] scopes, string? sandbox = null, Dictionary<string, string>? labels = null) => new()
    {
        Actor = "token:0123456789abcdef",
        Name = "minter",
        TokenId = "0123456789abcdef",
        Scopes = scopes.ToHashSet(),
        SandboxId = sandbox,
        LabelSelector = labels,
    };

    [Theory]
    [InlineData("no scopes")]
    [InlineData("unknown scope")]
    [InlineData("both bindings")]
    [InlineData("ttl over max")]
    [InlineData("negative ttl")]
    [InlineData("bound approver")]
    public void Malformed_IsInvalidArgument(string what)
    {
        var request = what switch
        {
            "no scopes" => new TokenRequest { Scopes = [] },
            "unknown scope" => new TokenRequest { Scopes = ["files:everything"] },
            "both bindings" => new TokenRequest { Scopes = [Scopes.FilesRead], Sandbox = "sb-a", Labels = new Dictionary<string, string> { ["a"] = "b" } },
            "ttl over max" => new TokenRequest { Scopes = [Scopes.FilesRead], Ttl = TimeSpan.FromHours(25) },
            "bound approver" => new TokenRequest { Scopes = [Scopes.SandboxExec, Scopes.ApprovalsResolve], Sandbox = "sb-a" },
            _ => new TokenRequest { Scopes = [Scopes.FilesRead], Ttl = TimeSpan.FromSeconds(-1) },
        };
        var e = Assert.Throws<AirlockException>(() => MintRules.Ttl(request, Limits));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void ScopeTheMinterLacks_IsForbiddenNamingIt()
    {
        var e = Assert.Throws<AirlockException>(() =>
            MintRules.EnsureNoWider(Scoped([Scopes.TokensMint, Scopes.FilesRead]), new TokenRequest { Scopes = [Scopes.FilesRead, Scopes.FilesWrite] }));
        Assert.Equal(AirlockErrorKind.Forbidden, e.Kind);
        Assert.Contains(Scopes.FilesWrite, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutTokensMint_IsForbidden()
    {
        var e = Assert.Throws<AirlockException>(() => MintRules.EnsureNoWider(Scoped([Scopes.FilesRead]), new TokenRequest { Scopes = [Scopes.FilesRead] }));
        Assert.Equal(AirlockErrorKind.Forbidden, e.Kind);
    }

    [Fact]
    public void SandboxBoundMinter_MayMintOnlyForItsSandbox()
    {
        var minter = Scoped([Scopes.TokensMint, Scopes.FilesRead], sandbox: "sb-a");
        MintRules.EnsureNoWider(minter, new TokenRequest { Scopes = [Scopes.FilesRead], Sandbox = "sb-a" });
        Assert.Throws<AirlockException>(() => MintRules.EnsureNoWider(minter, new TokenRequest { Scopes = [Scopes.FilesRead] }));
        Assert.Throws<AirlockException>(() => MintRules.EnsureNoWider(minter, new TokenRequest { Scopes = [Scopes.FilesRead], Sandbox = "sb-b" }));
    }

    [Fact]
    public void LabelBoundMinter_MayMintOnlyNarrowerSelectors()
    {
        var minter = Scoped([Scopes.TokensMint, Scopes.FilesRead], labels: new() { ["team"] = "a" });
        MintRules.EnsureNoWider(minter, new TokenRequest { Scopes = [Scopes.FilesRead], Labels = new Dictionary<string, string> { ["team"] = "a", ["job"] = "1" } });
        Assert.Throws<AirlockException>(() => MintRules.EnsureNoWider(minter, new TokenRequest { Scopes = [Scopes.FilesRead] }));
        Assert.Throws<AirlockException>(() => MintRules.EnsureNoWider(minter, new TokenRequest { Scopes = [Scopes.FilesRead], Labels = new Dictionary<string, string> { ["team"] = "b" } }));
        Assert.Throws<AirlockException>(() => MintRules.EnsureNoWider(minter, new TokenRequest { Scopes = [Scopes.FilesRead], Sandbox = "sb-a" }));
    }

    [Fact]
    public void Admin_MayMintAnything()
    {
        MintRules.EnsureNoWider(Caller.Admin, new TokenRequest { Scopes = Scopes.All });
    }
}
