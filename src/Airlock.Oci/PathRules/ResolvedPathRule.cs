using Airlock.Policy;

namespace Airlock.Oci.PathRules;

/// <summary>
/// A policy <c>files</c> rule after the backend resolved it in the sandbox's root file system: <see cref="Path"/>
/// is the real path inside the sandbox (symlinks followed inside the root, never out of it), so the mount's host
/// source and its destination name the same file.
/// </summary>
public sealed record ResolvedPathRule(string Path, PathAccess Access, bool IsDirectory);
