namespace Airlock.Core.Policy;

/// <summary>Field paths as messages show them: <c>limits.memory</c>, <c>network.allow[2]</c>, <c>secrets.KEY.from</c>.</summary>
internal static class PolicyPath
{
    public static string Child(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    public static string Item(string parent, int index) => $"{parent}[{index}]";
}
