namespace Airlock.Integration.Tests;

/// <summary>The isolation tiers every limit and cleanup check runs on.</summary>
public static class Tiers
{
    public static TheoryData<string> All => new() { "container", "gvisor" };
}
