using Airlock.Core.Images;

namespace Airlock.Core.Tests.Images;

/// <summary>An image of a built-in name that lacks a package of its recipe (built by an older Airlock) is rebuilt; a richer one is kept.</summary>
public sealed class ImageRecipeTests
{
    private static readonly string[] BeforeTheInterpreter =
        ["python3", "python3-pip", "python3-venv", "bash", "coreutils", "curl", "git", "ca-certificates", "procps", "less"];

    [Fact]
    public void MissingRecipePackages_OfAPythonImageFromBeforeTheInterpreter_NamesTheKernelPackages()
    {
        var missing = MmdebstrapImageStore.MissingRecipePackages(new ImageInfo { Name = "python", Packages = BeforeTheInterpreter });
        Assert.Contains("python3-ipykernel", missing);
        Assert.Contains("python3-jupyter-client", missing);
        Assert.DoesNotContain("python3", missing);
    }

    [Fact]
    public void MissingRecipePackages_OfASupersetOrAUserImage_IsEmpty()
    {
        Assert.Empty(MmdebstrapImageStore.MissingRecipePackages(new ImageInfo { Name = "python", Packages = [.. ImageNames.DataPackages, "jq"] }));
        Assert.Empty(MmdebstrapImageStore.MissingRecipePackages(new ImageInfo { Name = "tools", Packages = ["jq"] }));
    }

    [Fact]
    public void DataImage_IsTheDefaultPlusMatplotlib()
    {
        Assert.Equal(["python3-matplotlib"], MmdebstrapImageStore.MissingRecipePackages(new ImageInfo { Name = ImageNames.DataImage, Packages = ImageNames.DefaultPackages }));
        Assert.Null(ImageNames.Recipe("tools"));
    }
}
