using System.Runtime.CompilerServices;

namespace Airlock.Integration.Tests;

internal static class TestEnvironment
{
    /// <summary>One image cache for every test (building the default image takes ~40 s); scripts/test.sh sets the same.</summary>
    [ModuleInitializer]
    internal static void ShareImageCache()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AIRLOCK_IMAGES")))
        {
            Environment.SetEnvironmentVariable("AIRLOCK_IMAGES", "/var/lib/airlock/images");
        }
    }
}

/// <summary>Integration tests run one at a time: they start real sandboxes on a 2-core machine and measure the host around them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SandboxCollection
{
    public const string Name = "real sandboxes";
}
