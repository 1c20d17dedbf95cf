namespace Airlock.RedTeam.Model;

/// <summary>The battery's categories, in the order the report lists them.</summary>
internal static class Categories
{
    public const string Resources = "resources";
    public const string Filesystem = "filesystem";
    public const string Privilege = "privilege";
    public const string Governance = "governance";
    public const string Network = "network";

    public static IReadOnlyList<string> All { get; } = [Resources, Filesystem, Privilege, Governance, Network];
}
