using Airlock.Core.Images;

namespace Airlock.Core.Tests.Images;

public sealed class ImageNamesTests
{
    [Theory]
    [InlineData("python")]
    [InlineData("py3.11")]
    [InlineData("my_image-2")]
    [InlineData("0")]
    public void ValidateName_AcceptsLowerCaseNames(string name) => ImageNames.ValidateName(name);

    [Theory]
    [InlineData("")]
    [InlineData("Python")]
    [InlineData(".hidden")]
    [InlineData("-dash")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("python\n")]
    [InlineData("white space")]
    public void ValidateName_RejectsOtherNames_WithTheRule(string name)
    {
        var error = Assert.Throws<AirlockException>(() => ImageNames.ValidateName(name));
        Assert.Equal(AirlockErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("a-z, 0-9", error.Message);
    }

    [Fact]
    public void ValidateName_RejectsNamesLongerThan63()
    {
        ImageNames.ValidateName(new string('a', 63));
        Assert.Throws<AirlockException>(() => ImageNames.ValidateName(new string('a', 64)));
    }

    [Fact]
    public void ValidatePackages_TrimsAndDropsDuplicates()
    {
        var packages = ImageNames.ValidatePackages([" python3 ", "g++", "libc6-dev", "python3", "lib.x"]);
        Assert.Equal(["python3", "g++", "libc6-dev", "lib.x"], packages);
    }

    [Theory]
    [InlineData("Python3")]
    [InlineData("a")]
    [InlineData("-rf")]
    [InlineData("curl;rm")]
    [InlineData("python3=3.11")]
    [InlineData("--include=x")]
    [InlineData("")]
    public void ValidatePackages_RejectsNonDebianNames_NamingTheBadOne(string bad)
    {
        var error = Assert.Throws<AirlockException>(() => ImageNames.ValidatePackages(["curl", bad]));
        Assert.Equal(AirlockErrorKind.InvalidArgument, error.Kind);
        Assert.Contains($"'{bad}'", error.Message);
    }

    [Fact]
    public void DefaultPackages_AreAllValidDebianNames()
    {
        Assert.Equal(ImageNames.DefaultPackages, ImageNames.ValidatePackages(ImageNames.DefaultPackages));
        Assert.Contains("python3", ImageNames.DefaultPackages);
    }
}
