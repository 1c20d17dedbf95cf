using System.Security.Cryptography;
using Airlock.Native;

namespace Airlock.Guest.Tests;

/// <summary>
/// The reseed a microVM's agent makes when its guest was restored from a template snapshot, tried on this host's own
/// kernel (the same calls; adding credited random bytes to a pool harms nothing). Wrong request numbers or a wrong
/// struct would come back ENOTTY or EINVAL.
/// </summary>
public sealed class KernelRandomTests
{
    [RootFact]
    public void Reseed_MixesTheSeedInAndReseedsTheGenerator_AsRoot()
    {
        Assert.Equal(0, KernelRandom.Reseed(RandomNumberGenerator.GetBytes(32)));
    }

    [Fact]
    public void Reseed_RefusesAnEmptyOrOversizedSeed()
    {
        Assert.Equal(Errno.EINVAL, KernelRandom.Reseed([]));
        Assert.Equal(Errno.EINVAL, KernelRandom.Reseed(new byte[513]));
    }
}

[AttributeUsage(AttributeTargets.Method)]
internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root") Skip = "adding entropy needs CAP_SYS_ADMIN (root)";
    }
}
