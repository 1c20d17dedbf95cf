using System.Diagnostics;
using Airlock.Core.Policy;
using static Airlock.Core.Tests.Policy.PolicyErrorsAssert;

namespace Airlock.Core.Tests.Policy;

public sealed class PolicyLoaderSyntaxTests
{
    [Fact]
    public void Load_ReportsAYamlSyntaxErrorWithItsPosition() =>
        Assert.StartsWith("p.yaml:2:1: not valid YAML or JSON: ", SingleError("limits: [1, 2\n", "p.yaml"), StringComparison.Ordinal);

    [Fact]
    public void Load_ReportsAJsonSyntaxErrorWithItsPosition() =>
        Assert.StartsWith("1:25: not valid YAML or JSON: ", SingleError("{\"limits\": {\"pids\": 256,, }}"), StringComparison.Ordinal);

    [Fact]
    public void Load_ReportsTheInputThatYamlDotNetFailsOnWithoutAPosition() =>
        Assert.StartsWith("1:", SingleError("limits: [1, 2\nnetwork: 3"), StringComparison.Ordinal);

    [Fact]
    public void Load_RejectsAliases() =>
        Assert.StartsWith(
            "3:13: tools.approval: aliases (*d) are not supported in a policy",
            SingleError("tools:\n  deny: &d [ \"rm *\" ]\n  approval: *d\n"),
            StringComparison.Ordinal);

    [Fact]
    public void Load_RejectsASecondDocument() =>
        Assert.StartsWith("3:1: a policy is one document", SingleError("limits: { pids: 64 }\n\n---\nlimits: { pids: 32 }\n"), StringComparison.Ordinal);

    [Fact]
    public void Load_RejectsControlCharacters() =>
        Assert.Equal("1:18: tools.deny[0]: contains the control character U+001B", SingleError("tools: { deny: [ \"rm\\e[2J\" ] }"));

    [Fact]
    public void Load_StopsQuicklyOnDeepNesting()
    {
        var watch = Stopwatch.StartNew();
        var error = SingleError(new string('[', 500_000));
        Assert.Contains("nested more than 32 levels deep", error, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Load_ShowsAtMostFiftyErrors()
    {
        var text = "tools:\n  deny:\n" + string.Concat(Enumerable.Repeat("    - \"\"\n", 60));
        var errors = Errors(text);
        Assert.Equal(51, errors.Length);
        Assert.Equal("... and 10 more errors", errors[^1]);
    }

    [Theory]
    [InlineData(PolicyLoader.MaxInputBytes + 1, 'a')]
    [InlineData((PolicyLoader.MaxInputBytes / 2) + 1, 'é')]
    public void Load_RefusesInputPastTheSizeLimit(int length, char fill)
    {
        var error = Assert.Throws<AirlockException>(() => PolicyLoader.Load("# " + new string(fill, length), "big.yaml"));
        Assert.Equal(AirlockErrorKind.TooLarge, error.Kind);
        Assert.StartsWith("big.yaml: more than 1m", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AcceptsInputJustUnderTheSizeLimit() =>
        PolicyLoader.Load("# " + new string('a', PolicyLoader.MaxInputBytes - 3) + "\n");
}
