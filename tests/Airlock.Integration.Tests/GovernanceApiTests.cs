using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Airlock.Client;

namespace Airlock.Integration.Tests;

/// <summary>Stored policies, plan vetting and the approvals stream through a real daemon and real sandboxes.</summary>
[Collection(SandboxCollection.Name)]
public sealed class GovernanceApiTests : IAsyncLifetime
{
    private const string Gate = """
        name: gate
        tools:
          deny: [ "rm -rf /*" ]
          approval: [ "echo gated *", "files:delete:/workspace/**" ]
        approval_timeout: 30s
        """;

    private DaemonSession _session = null!;

    private HttpClient _http => _session.Http;

    private DaemonProcess _daemon => _session.Daemon;

    public async Task InitializeAsync() => _session = await DaemonSession.StartAsync();

    public async Task DisposeAsync() => await _session.DisposeAsync();

    [Fact]
    public async Task Policies_AreVersioned_AndASandboxKeepsTheVersionItWasCreatedWith()
    {
        using var client = new AirlockClient(_daemon.Url, _daemon.Token);
        var v1 = await client.Policies.PutAsync("gate", Gate);
        var again = await client.Policies.PutAsync("gate", Gate);
        var v2 = await client.Policies.PutAsync("gate", Gate.Replace("echo gated *", "echo held *", StringComparison.Ordinal));
        Assert.Equal((1, 1, 2), (v1.Version, again.Version, v2.Version));
        Assert.Equal(Gate, (await client.Policies.GetAsync("gate@1")).Text);

        await using var sb = await client.CreateSandboxAsync(new SandboxSpec { Isolation = "container", Policy = "gate@1" });
        Assert.Equal("gate@1", sb.Info.Policy);
        var plan = await client.VetPlanAsync(sb.Id, [new PlanStep { Exec = ["echo", "gated", "x"] }, new PlanStep { Exec = ["echo", "held", "x"] }]);
        Assert.Equal(["needs-approval", "allow"], plan.Select(p => p.Decision));
    }

    [Fact]
    public async Task Plan_ReturnsAllowDenyAndNeedsApproval_ForTheRightSteps_WithoutRunningThem()
    {
        var id = await CreateAsync();
        var response = await _http.PostAsync($"/v1/sandboxes/{id}/plan", Json("""
            { "steps": [ { "exec": ["ls", "/workspace"] }, { "exec": ["rm", "-rf", "/*"] }, { "delete": "/workspace/report.txt" }, { "network": "pypi.org:443" } ] }
            """));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var steps = body.RootElement.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["allow", "deny", "needs-approval", "deny"], steps.Select(s => s.GetProperty("decision").GetString()));
        Assert.Equal("tools.deny: rm -rf /*", steps[1].GetProperty("rule").GetString());
        Assert.Equal("tools.approval: files:delete:/workspace/**", steps[2].GetProperty("rule").GetString());
        Assert.Equal("network.allow", steps[3].GetProperty("rule").GetString());
        Assert.False(steps[0].TryGetProperty("rule", out _));

        var pending = await _http.GetStringAsync("/v1/approvals");
        Assert.Contains("\"approvals\":[]", pending, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApprovalStream_ShowsTheHeldExec_AndApprovingItThroughTheApiLetsItRun()
    {
        var id = await CreateAsync();
        using var stream = await _http.GetStreamAsync("/v1/approvals/stream");
        using var reader = new StreamReader(stream);
        var exec = _http.PostAsync($"/v1/sandboxes/{id}/exec", Json("""{ "command": ["echo", "gated", "via", "api"] }"""));

        var data = await ReadEventDataAsync(reader, "approval");
        using var approval = JsonDocument.Parse(data);
        Assert.Equal("pending", approval.RootElement.GetProperty("state").GetString());
        Assert.Equal("exec echo gated via api", approval.RootElement.GetProperty("action").GetString());
        Assert.Equal("admin", approval.RootElement.GetProperty("requestedBy").GetString());
        Assert.False(exec.IsCompleted);

        var approvalId = approval.RootElement.GetProperty("id").GetString();
        var approved = await _http.PostAsync($"/v1/approvals/{approvalId}/approve", Json("""{ "reason": "ok" }"""));
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var again = await _http.PostAsync($"/v1/approvals/{approvalId}/deny", Json("{}"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already approved (by admin)", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var output = await (await exec).Content.ReadAsStringAsync();
        Assert.Contains(Convert.ToBase64String("gated via api\n"u8), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AToken_CannotApproveWhatItAskedFor_NorBeMintedBoundWithTheRightToApprove()
    {
        var id = await CreateAsync();
        var bound = await _http.PostAsync("/v1/tokens", Json(JsonSerializer.Serialize(new { scopes = new[] { "sandbox:exec", "approvals:resolve" }, sandbox = id })));
        Assert.Equal(HttpStatusCode.BadRequest, bound.StatusCode);
        Assert.Contains("mint it on a token not bound to a sandbox", await bound.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var minted = await _http.PostAsync("/v1/tokens", Json(JsonSerializer.Serialize(new { name = "agent", scopes = new[] { "sandbox:exec", "approvals:resolve" } })));
        Assert.Equal(HttpStatusCode.Created, minted.StatusCode);
        using var token = JsonDocument.Parse(await minted.Content.ReadAsStringAsync());
        using var agent = new HttpClient { BaseAddress = _daemon.Url, Timeout = TimeSpan.FromMinutes(2) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("token").GetString());
        using var stream = await _http.GetStreamAsync("/v1/approvals/stream");
        using var reader = new StreamReader(stream);
        var exec = agent.PostAsync($"/v1/sandboxes/{id}/exec", Json("""{ "command": ["echo", "gated", "self"] }"""));
        using var approval = JsonDocument.Parse(await ReadEventDataAsync(reader, "approval"));
        var approvalId = approval.RootElement.GetProperty("id").GetString();

        var selfApproved = await agent.PostAsync($"/v1/approvals/{approvalId}/approve", Json("{}"));
        Assert.Equal(HttpStatusCode.Forbidden, selfApproved.StatusCode);
        Assert.Contains("cannot approve it", await selfApproved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(exec.IsCompleted);

        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync($"/v1/approvals/{approvalId}/approve", Json("{}"))).StatusCode);
        Assert.Contains(Convert.ToBase64String("gated self\n"u8), await (await exec).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"steps\": [ { \"exec\": [] } ] }", "steps[0].exec")]
    [InlineData("{ \"steps\": [ { \"write\": \"relative\" } ] }", "absolute path")]
    [InlineData("{ \"steps\": [ { \"exec\": [\"ls\"], \"write\": \"/a\" } ] }", "exactly one of")]
    [InlineData("{ \"steps\": [ { \"network\": \"pypi.org:99999\" } ] }", "not a port")]
    [InlineData("{ \"plan\": [] }", "unknown field 'plan'")]
    public async Task Plan_WithBadInput_Is400NamingTheProblem(string body, string expected)
    {
        var id = await CreateAsync();
        var response = await _http.PostAsync($"/v1/sandboxes/{id}/plan", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PuttingAnInvalidPolicy_Is400WithLineAndField_AndStoresNothing()
    {
        var response = await _http.PutAsync("/v1/policies/broken", new StringContent("tools:\n  deny: [ \"x\" ]\n  aprove: [ \"y\" ]\n", Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("broken:3:3: tools: unknown key 'aprove'", problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/v1/policies/broken")).StatusCode);
    }

    private async Task<string> CreateAsync()
    {
        var info = await _session.CreateSandboxAsync(new { isolation = "container", policy = Gate });
        Assert.StartsWith("inline-", info.GetProperty("policy").GetString(), StringComparison.Ordinal);
        return info.GetProperty("id").GetString()!;
    }

    private static StringContent Json(string text) => DaemonSession.Json(text);

    private static Task<string> ReadEventDataAsync(StreamReader reader, string eventName) => DaemonSession.ReadEventDataAsync(reader, eventName);
}
