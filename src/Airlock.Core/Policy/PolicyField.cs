namespace Airlock.Core.Policy;

/// <summary>A value found in a policy, with the path that messages about it name.</summary>
internal readonly record struct PolicyField(PolicyNode Node, string Path);
