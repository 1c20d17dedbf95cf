namespace Airlock.Core.Tests;

public sealed class UnitsRateTests
{
    [Theory]
    [InlineData("10mbit", 10_000_000)]
    [InlineData("10Mbit", 10_000_000)]
    [InlineData("1.5gbit", 1_500_000_000)]
    [InlineData("500kbit", 500_000)]
    [InlineData("64bit", 64)]
    [InlineData("1tbit", 1_000_000_000_000)]
    public void ParseRate_ReadsTcStyleRatesInBitsPerSecond(string text, long expected) =>
        Assert.Equal(expected, Units.ParseRate(text));

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10mb")]
    [InlineData("10mbps")]
    [InlineData("0mbit")]
    [InlineData("-1mbit")]
    [InlineData("0.5bit")]
    [InlineData("fastmbit")]
    [InlineData("99999999999999999999999999999tbit")]
    public void ParseRate_RejectsNonsenseAndBareNumbers(string text)
    {
        var error = Assert.Throws<AirlockException>(() => Units.ParseRate(text));
        Assert.Equal(AirlockErrorKind.InvalidArgument, error.Kind);
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }
}
