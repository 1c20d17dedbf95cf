namespace Airlock.Integration.Tests;

/// <summary>The isolation tiers every limit and cleanup check runs on (the microVM under TCG on hosts without KVM).</summary>
public static class Tiers
{
    public static TheoryData<string> All => new() { "container", "gvisor", "microvm" };
}
