using Airlock.Core.Images;

namespace Airlock.Core.Tests.Images;

public sealed class MmdebstrapProgressTests
{
    [Fact]
    public void Describe_PassesInfoLinesWithoutPrefixOrDots()
    {
        var progress = new MmdebstrapProgress();
        Assert.Equal("downloading packages with apt", progress.Describe("I: downloading packages with apt..."));
    }

    [Fact]
    public void Describe_CountsPackagesAcrossBothAptRuns()
    {
        var progress = new MmdebstrapProgress();
        Assert.Null(progress.Describe("0 upgraded, 2 newly installed, 0 to remove and 0 not upgraded."));
        Assert.Equal("installing libc6 (1/2)", progress.Describe("Setting up libc6:amd64 (2.36-9+deb12u4) ..."));
        Assert.Null(progress.Describe("Unpacking bash (5.2.15-2+b2) ..."));
        Assert.Equal("installing bash (2/2)", progress.Describe("Setting up bash (5.2.15-2+b2) ..."));
        Assert.Null(progress.Describe("0 upgraded, 2 newly installed, 0 to remove and 0 not upgraded."));
        Assert.Equal("installing python3 (3/4)", progress.Describe("Setting up python3 (3.11.2-1+b1) ..."));
    }

    [Fact]
    public void Describe_RemembersAnUnknownPackage_AndKeepsTheTail()
    {
        var progress = new MmdebstrapProgress();
        for (var i = 0; i < 40; i++) progress.Describe($"Get:{i} http://deb.debian.org/debian bookworm/main");
        Assert.Equal("E: Unable to locate package nosuchpkg", progress.Describe("E: Unable to locate package nosuchpkg"));
        Assert.Equal("nosuchpkg", progress.MissingPackage);
        Assert.EndsWith("E: Unable to locate package nosuchpkg", progress.Tail);
        Assert.DoesNotContain("Get:0 ", progress.Tail);
    }
}
