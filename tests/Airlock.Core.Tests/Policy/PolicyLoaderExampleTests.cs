using System.Net;
using Airlock.Core.Policy;
using Airlock.Policy;

namespace Airlock.Core.Tests.Policy;

public sealed class PolicyLoaderExampleTests
{
    [Theory]
    [InlineData(PolicyExamples.DesignYaml)]
    [InlineData(PolicyExamples.DesignJson)]
    public void Load_ReadsTheDesignExample_AsYamlAndAsJson(string text)
    {
        var policy = PolicyLoader.Load(text);

        Assert.Null(policy.Name);
        Assert.Equal(IsolationTier.Gvisor, policy.Isolation.Minimum);
        Assert.Equal(
            new PolicyLimits { Cpus = 1, MemoryBytes = 512L << 20, Pids = 256, DiskBytes = 1L << 30, Timeout = TimeSpan.FromMinutes(10), EgressRateBitsPerSecond = 10_000_000 },
            policy.Limits);

        Assert.Collection(
            policy.Network.Allow,
            t => Assert.Equal(new EgressTarget { Pattern = "pypi.org", Kind = EgressTargetKind.Domain, Host = "pypi.org" }, t),
            t => Assert.Equal(new EgressTarget { Pattern = "*.pythonhosted.org", Kind = EgressTargetKind.DomainSuffix, Host = "pythonhosted.org" }, t),
            t => Assert.Equal(new EgressTarget { Pattern = "api.stripe.com:443", Kind = EgressTargetKind.Domain, Host = "api.stripe.com", Port = 443 }, t));

        var secret = Assert.Single(policy.Secrets).Value;
        Assert.Equal("STRIPE_KEY", secret.Name);
        Assert.Equal(new SecretSource { Kind = SecretSourceKind.Env, Reference = "STRIPE_KEY" }, secret.From);
        Assert.Equal("api.stripe.com", Assert.Single(secret.Hosts).Host);
        Assert.Null(secret.Header);

        Assert.Equal(
            [new FileRule { Path = "/workspace", Access = PathAccess.ReadWrite }, new FileRule { Path = "/data", Access = PathAccess.ReadOnly }],
            policy.Files);
        Assert.Equal(["rm -rf /*"], policy.Tools.Deny);
        Assert.Equal(["git push *", "network:new-host", "files:delete:/workspace/**"], policy.Tools.Approval);

        var anomaly = Assert.Single(policy.Anomalies);
        Assert.Equal(AnomalyAction.Pause, anomaly.Then);
        Assert.Equal(
            new AnomalyCondition { Text = "egress_denied > 20 in 1m", Counter = "egress_denied", Operator = ">", Threshold = 20, Window = TimeSpan.FromMinutes(1) },
            anomaly.When);
        Assert.Null(policy.ApprovalTimeout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing yet\n")]
    [InlineData("---\n")]
    [InlineData("{}")]
    [InlineData("null")]
    public void Load_TreatsAnEmptyDocumentAsTheEmptyPolicy(string text)
    {
        var policy = PolicyLoader.Load(text);

        Assert.Null(policy.Isolation.Minimum);
        Assert.Equal(new PolicyLimits(), policy.Limits);
        Assert.Empty(policy.Network.Allow);
        Assert.Empty(policy.Secrets);
        Assert.Empty(policy.Files);
        Assert.Empty(policy.Tools.Deny);
        Assert.Empty(policy.Anomalies);
    }

    [Fact]
    public void Load_ReadsTheFieldsTheExampleLeavesOut()
    {
        var policy = PolicyLoader.Load("""
            name: ci-python
            approval_timeout: 5m
            isolation:
              minimum: microvm
            network:
              allow:
                - 203.0.113.0/24
                - 2001:db8::/32
                - 198.51.100.7
            secrets:
              GH_TOKEN:
                from: file:/run/secrets/gh
                hosts: [ "api.github.com", "*.githubusercontent.com:443" ]
                header: Authorization
            files:
              - path: /home/user/.ssh/
                access: hidden
            anomalies:
              - when: "file_ops >= 100"
                then: kill
            """);

        Assert.Equal("ci-python", policy.Name);
        Assert.Equal(TimeSpan.FromMinutes(5), policy.ApprovalTimeout);
        Assert.Equal(IsolationTier.MicroVm, policy.Isolation.Minimum);
        Assert.Equal(
            [IPNetwork.Parse("203.0.113.0/24"), IPNetwork.Parse("2001:db8::/32"), IPNetwork.Parse("198.51.100.7/32")],
            policy.Network.Allow.Select(t => t.Network!.Value));
        var secret = policy.Secrets["GH_TOKEN"];
        Assert.Equal("file:/run/secrets/gh", secret.From.ToString());
        Assert.Equal("Authorization", secret.Header);
        Assert.Equal(EgressTargetKind.DomainSuffix, secret.Hosts[1].Kind);
        Assert.Equal(new FileRule { Path = "/home/user/.ssh", Access = PathAccess.Hidden }, Assert.Single(policy.Files));
        var anomaly = Assert.Single(policy.Anomalies);
        Assert.Equal(AnomalyAction.Kill, anomaly.Then);
        Assert.Null(anomaly.When.Window);
        Assert.True(anomaly.When.IsMetBy(100));
        Assert.False(anomaly.When.IsMetBy(99));
    }

    [Fact]
    public void Load_TreatsAKeySetToNullAsAbsent()
    {
        var policy = PolicyLoader.Load("limits:\n  memory: ~\n  pids: null\nnetwork:\n");

        Assert.Equal(new PolicyLimits(), policy.Limits);
        Assert.Empty(policy.Network.Allow);
    }
}
