using System.Text.Json;

namespace Airlock.Integration.Tests;

/// <summary>
/// Human approval gates through the CLI with no daemon: the exec that waits runs in one airlock process, the
/// person answers from another, and they meet in the data directory's SQLite file.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ApprovalTests : IAsyncLifetime
{
    private const string Policy = """
        tools:
          deny: [ "rm -rf /*" ]
          approval: [ "echo gated *" ]
        approval_timeout: 4s
        """;

    private readonly TempDataDir _data = new();
    private string _id = "";

    public async Task InitializeAsync()
    {
        var file = Path.Combine(_data.Path, "gate.yaml");
        await File.WriteAllTextAsync(file, Policy);
        var created = await Cli.RunAsync(_data.Path, "create", "--isolation", "container", "--policy", file);
        Assert.True(created.ExitCode == 0, created.ToString());
        _id = created.Stdout.Trim();
    }

    public async Task DisposeAsync()
    {
        if (_id.Length > 0) await Cli.RunAsync(_data.Path, "rm", _id);
        _data.Dispose();
    }

    [Fact]
    public async Task Exec_MatchingAnApprovalRule_WaitsUntilApproved_ThenRuns()
    {
        var exec = Cli.RunAsync(_data.Path, "exec", _id, "--", "echo", "gated", "run");
        var pending = await WaitForPendingAsync();
        Assert.False(exec.IsCompleted);
        Assert.Equal(_id, pending.GetProperty("sandboxId").GetString());
        Assert.Equal("exec echo gated run", pending.GetProperty("action").GetString());
        Assert.Equal("tools.approval: echo gated *", pending.GetProperty("rule").GetString());

        var approved = await Cli.RunAsync(_data.Path, "approvals", "approve", pending.GetProperty("id").GetString()!, "--reason", "looks fine");
        Assert.True(approved.ExitCode == 0, approved.ToString());

        var result = await exec;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("gated run\n", result.Stdout);
        var all = await ApprovalsAsync("--all");
        var record = all.Single(a => a.GetProperty("id").GetString() == pending.GetProperty("id").GetString());
        Assert.Equal("approved", record.GetProperty("state").GetString());
        Assert.Equal(Environment.UserName, record.GetProperty("resolvedBy").GetString());
        var audited = await ResolutionInAuditAsync(pending.GetProperty("id").GetString()!);
        Assert.Equal("ok", audited.GetProperty("outcome").GetString());
        Assert.Equal(Environment.UserName, audited.GetProperty("details").GetProperty("resolved_by").GetString());
        Assert.Equal("looks fine", audited.GetProperty("details").GetProperty("resolution_reason").GetString());
    }

    [Fact]
    public async Task Exec_WhenDenied_FailsWithTheApproversNameAndReason_AndDoesNotRun()
    {
        var exec = Cli.RunAsync(_data.Path, "exec", _id, "--", "sh", "-c", "echo gated marker > /tmp/ran");
        var pending = await WaitForPendingAsync();
        var denied = await Cli.RunAsync(_data.Path, "approvals", "deny", pending.GetProperty("id").GetString()!, "--reason", "not on a Friday");
        Assert.True(denied.ExitCode == 0, denied.ToString());

        var result = await exec;
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"denied by {Environment.UserName}: not on a Friday", result.Stderr, StringComparison.Ordinal);
        var ran = await Cli.RunAsync(_data.Path, "exec", _id, "--", "test", "-e", "/tmp/ran");
        Assert.Equal(1, ran.ExitCode);
        var audited = await ResolutionInAuditAsync(pending.GetProperty("id").GetString()!);
        Assert.Equal("denied", audited.GetProperty("outcome").GetString());
        Assert.Equal(Environment.UserName, audited.GetProperty("details").GetProperty("resolved_by").GetString());
        Assert.Equal("not on a Friday", audited.GetProperty("details").GetProperty("resolution_reason").GetString());
    }

    [Fact]
    public async Task Exec_WithNoAnswer_IsRefusedAfterThePolicysTimeout()
    {
        var result = await Cli.RunAsync(_data.Path, "exec", _id, "--", "echo", "gated", "forever");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no approval for 'exec echo gated forever' within 4s", result.Stderr, StringComparison.Ordinal);
        Assert.True(result.Elapsed >= TimeSpan.FromSeconds(4), result.ToString());
        var all = await ApprovalsAsync("--all");
        var expired = all.Single(a => a.GetProperty("action").GetString() == "exec echo gated forever");
        Assert.Equal("expired", expired.GetProperty("state").GetString());
        var audited = await ResolutionInAuditAsync(expired.GetProperty("id").GetString()!);
        Assert.Equal("denied", audited.GetProperty("outcome").GetString());
        Assert.Equal("timeout", audited.GetProperty("details").GetProperty("resolved_by").GetString());
        var verify = await Cli.RunAsync(_data.Path, "audit", "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public async Task Exec_MatchingADenyRule_IsRefusedAtOnceNamingTheRule()
    {
        var result = await Cli.RunAsync(_data.Path, "exec", _id, "--", "rm", "-rf", "/*");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("tools.deny: rm -rf /*", result.Stderr, StringComparison.Ordinal);
        var still = await Cli.RunAsync(_data.Path, "exec", _id, "--", "test", "-d", "/usr/bin");
        Assert.Equal(0, still.ExitCode);
    }

    [Fact]
    public async Task ApprovingAnUnknownOrAnsweredApproval_FailsClearly()
    {
        var unknown = await Cli.RunAsync(_data.Path, "approvals", "approve", "ap_0000000000000000");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no approval 'ap_0000000000000000'", unknown.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The audit trail's approval.resolved event for one approval.</summary>
    private async Task<JsonElement> ResolutionInAuditAsync(string approvalId)
    {
        var query = await Cli.RunAsync(_data.Path, "audit", "query", "--sandbox", _id, "--kind", "approval.resolved", "--json");
        Assert.True(query.ExitCode == 0, query.ToString());
        using var document = JsonDocument.Parse(query.Stdout);
        return document.RootElement.EnumerateArray()
            .Select(r => r.GetProperty("event").Clone())
            .Single(e => e.GetProperty("details").GetProperty("approval").GetString() == approvalId);
    }

    private async Task<JsonElement> WaitForPendingAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var pending = (await ApprovalsAsync()).Where(a => a.GetProperty("sandboxId").GetString() == _id).ToList();
            if (pending.Count > 0) return pending[0];
            await Task.Delay(100);
        }

        throw new TimeoutException("no pending approval appeared within 30 s");
    }

    private async Task<List<JsonElement>> ApprovalsAsync(params string[] flags)
    {
        var listed = await Cli.RunAsync(_data.Path, ["approvals", "ls", "--json", .. flags], null, TimeSpan.FromMinutes(1));
        Assert.True(listed.ExitCode == 0, listed.ToString());
        using var document = JsonDocument.Parse(listed.Stdout);
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }
}
