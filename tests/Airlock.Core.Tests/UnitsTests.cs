namespace Airlock.Core.Tests;

public sealed class UnitsTests
{
    [Theory]
    [InlineData("512m", 512L << 20)]
    [InlineData("2g", 2L << 30)]
    [InlineData("2G", 2L << 30)]
    [InlineData("64mb", 64L << 20)]
    [InlineData("1Gi", 1L << 30)]
    [InlineData("100k", 100L << 10)]
    [InlineData("4096", 4096)]
    [InlineData("1.5g", 3L << 29)]
    public void ParseSize_AcceptsTheDocumentedForms(string text, long expected) =>
        Assert.Equal(expected, Units.ParseSize(text));

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-5m")]
    [InlineData("0")]
    [InlineData("5x")]
    [InlineData("99999999999t")]
    [InlineData("9999999999999999999999999999t")]
    public void ParseSize_RejectsNonsenseWithAnActionableMessage(string text)
    {
        var error = Assert.Throws<AirlockException>(() => Units.ParseSize(text));
        Assert.Equal(AirlockErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1m30s", 90)]
    [InlineData("250ms", 0.25)]
    [InlineData("10", 10)]
    public void ParseDuration_AcceptsTheDocumentedForms(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Units.ParseDuration(text));

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-1s")]
    [InlineData("0s")]
    [InlineData("5y")]
    [InlineData("s")]
    public void ParseDuration_RejectsNonsense(string text) =>
        Assert.Equal(AirlockErrorKind.InvalidArgument, Assert.Throws<AirlockException>(() => Units.ParseDuration(text)).Kind);

    [Theory]
    [InlineData(512L << 20, "512m")]
    [InlineData(1L << 30, "1g")]
    [InlineData(1000, "1000")]
    public void FormatSize_RoundTripsThroughParseSize(long bytes, string text)
    {
        Assert.Equal(text, Units.FormatSize(bytes));
        Assert.Equal(bytes, Units.ParseSize(text));
    }
}
