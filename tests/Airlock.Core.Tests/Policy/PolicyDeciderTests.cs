using Airlock.Core.Policy;
using Airlock.Core.Policy.Decisions;

namespace Airlock.Core.Tests.Policy;

public sealed class PolicyDeciderTests
{
    private static readonly Airlock.Policy.SandboxPolicy Policy = PolicyLoader.Load("""
        files:
          - { path: /data, access: read-only }
          - { path: /data/scratch, access: read-write }
          - { path: /secret, access: hidden }
        network:
          allow: [ "pypi.org", "*.pythonhosted.org", "api.stripe.com:443", "10.1.0.0/16" ]
        tools:
          deny: [ "rm -rf /*", "curl * | sh", "network:*.evil.test" ]
          approval: [ "git push *", "network:new-host", "files:delete:/workspace/**" ]
        """, "test.yaml");

    private static PolicyDecision Exec(params string[] argv) => PolicyDecider.Decide(Policy, new ExecAction(argv));

    [Theory]
    [InlineData("git", "push", "origin", "main")]
    [InlineData("git", "push")]
    [InlineData("/usr/bin/git", "push", "--force")]
    [InlineData("sh", "-c", "cd /w && git push origin")]
    [InlineData("bash", "-c", "echo hi; git push")]
    public void Exec_MatchingAnApprovalPattern_NeedsApproval(params string[] argv)
    {
        var decision = Exec(argv);
        Assert.Equal(PolicyVerdict.NeedsApproval, decision.Verdict);
        Assert.Equal("tools.approval: git push *", decision.Rule);
    }

    [Theory]
    [InlineData("git", "pull")]
    [InlineData("git", "status")]
    [InlineData("echo", "git", "push")]
    [InlineData("rm", "-rf", "/tmp/x/y")]
    [InlineData("python3", "-c", "print(1)")]
    public void Exec_MatchingNoPattern_IsAllowedByDefault(params string[] argv)
    {
        var decision = Exec(argv);
        Assert.Equal(PolicyVerdict.Allow, decision.Verdict);
        Assert.Null(decision.Rule);
    }

    [Theory]
    [InlineData("rm", "-rf", "/*")]
    [InlineData("rm", "-rf", "/bin", "/boot", "/etc")]
    [InlineData("rm", "-rf", "/")]
    [InlineData("sh", "-c", "rm -rf /*")]
    public void Exec_MatchingADenyPattern_IsDeniedWithTheRule(params string[] argv)
    {
        var decision = Exec(argv);
        Assert.Equal(PolicyVerdict.Deny, decision.Verdict);
        Assert.Equal("tools.deny: rm -rf /*", decision.Rule);
        Assert.Contains("rm -rf /*", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Deny_WinsOverApproval()
    {
        var policy = PolicyLoader.Load("tools: { deny: [ \"git push --force*\" ], approval: [ \"git push *\" ] }", "p.yaml");
        Assert.Equal(PolicyVerdict.Deny, PolicyDecider.Decide(policy, new ExecAction(["git", "push", "--force"])).Verdict);
        Assert.Equal(PolicyVerdict.NeedsApproval, PolicyDecider.Decide(policy, new ExecAction(["git", "push", "origin"])).Verdict);
    }

    [Theory]
    [InlineData(FileOperation.Write, "/data/a.csv", PolicyVerdict.Deny, "files: /data read-only")]
    [InlineData(FileOperation.Delete, "/data", PolicyVerdict.Deny, "files: /data read-only")]
    [InlineData(FileOperation.Read, "/data/a.csv", PolicyVerdict.Allow, null)]
    [InlineData(FileOperation.Write, "/data/scratch/out", PolicyVerdict.Allow, null)]
    [InlineData(FileOperation.Write, "/data/../data/x", PolicyVerdict.Deny, "files: /data read-only")]
    [InlineData(FileOperation.Write, "/database", PolicyVerdict.Allow, null)]
    [InlineData(FileOperation.Read, "/secret/key", PolicyVerdict.Deny, "files: /secret hidden")]
    [InlineData(FileOperation.Delete, "/workspace/a/b.txt", PolicyVerdict.NeedsApproval, "tools.approval: files:delete:/workspace/**")]
    [InlineData(FileOperation.Delete, "/workspace", PolicyVerdict.NeedsApproval, "tools.approval: files:delete:/workspace/**")]
    [InlineData(FileOperation.Write, "/workspace/a/b.txt", PolicyVerdict.Allow, null)]
    public void Files_AreJudgedByTheMostSpecificRule(FileOperation operation, string path, PolicyVerdict verdict, string? rule)
    {
        var decision = PolicyDecider.Decide(Policy, new FileAction(operation, path));
        Assert.Equal(verdict, decision.Verdict);
        Assert.Equal(rule, decision.Rule);
    }

    [Theory]
    [InlineData("pypi.org", null, PolicyVerdict.Allow, null)]
    [InlineData("PyPI.org.", 443, PolicyVerdict.Allow, null)]
    [InlineData("files.pythonhosted.org", 443, PolicyVerdict.Allow, null)]
    [InlineData("pythonhosted.org", 443, PolicyVerdict.NeedsApproval, "tools.approval: network:new-host")]
    [InlineData("api.stripe.com", 443, PolicyVerdict.Allow, null)]
    [InlineData("api.stripe.com", 80, PolicyVerdict.NeedsApproval, "tools.approval: network:new-host")]
    [InlineData("10.1.2.3", null, PolicyVerdict.Allow, null)]
    [InlineData("x.evil.test", 443, PolicyVerdict.Deny, "tools.deny: network:*.evil.test")]
    public void Network_IsAllowedByNetworkAllow_AndNewHostsNeedApproval(string host, int? port, PolicyVerdict verdict, string? rule)
    {
        var decision = PolicyDecider.Decide(Policy, new NetworkAction(host, port));
        Assert.Equal(verdict, decision.Verdict);
        Assert.Equal(rule, decision.Rule);
    }

    [Fact]
    public void Network_OutsideTheAllowList_IsDeniedWithoutANewHostRule()
    {
        var policy = PolicyLoader.Load("network: { allow: [ \"pypi.org\" ] }", "p.yaml");
        var decision = PolicyDecider.Decide(policy, new NetworkAction("other.test", 443));
        Assert.Equal(PolicyVerdict.Deny, decision.Verdict);
        Assert.Equal("network.allow", decision.Rule);
        Assert.Contains("other.test:443", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyPolicy_AllowsExecAndFiles_AndDeniesNetwork()
    {
        var policy = PolicyLoader.Load("{}", "p.json");
        Assert.Equal(PolicyVerdict.Allow, PolicyDecider.Decide(policy, new ExecAction(["rm", "-rf", "/"])).Verdict);
        Assert.Equal(PolicyVerdict.Allow, PolicyDecider.Decide(policy, new FileAction(FileOperation.Delete, "/etc/passwd")).Verdict);
        Assert.Equal(PolicyVerdict.Deny, PolicyDecider.Decide(policy, new NetworkAction("pypi.org")).Verdict);
    }
}
