using Airlock.RedTeam.Host.Checks;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Tests;

/// <summary>A host file check reports a change as a finding and puts the old content back.</summary>
[Collection("redteam")]
public sealed class HostCheckTests
{
    [Fact]
    public async Task HostFileUnchanged_WhenTheFileChanges_FindsItAndRestoresIt()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "core\n");
        var check = new HostFileUnchanged(file);
        await check.BeforeAsync(null!, "sandbox", CancellationToken.None);
        await File.WriteAllTextAsync(file, "|/tmp/evil\n");

        var (findings, _) = await check.AfterAsync(null!, "sandbox", CancellationToken.None);

        Assert.Single(findings);
        Assert.Equal(Verdict.Escaped, Judgement.From(findings, "").Verdict);
        Assert.Equal("core\n", await File.ReadAllTextAsync(file));
        File.Delete(file);
    }
}
