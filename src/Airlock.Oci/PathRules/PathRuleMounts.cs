using Airlock.Oci.Spec;
using Airlock.Policy;

namespace Airlock.Oci.PathRules;

/// <summary>
/// The OCI mounts that enforce a policy's <c>files</c> rules, after every other mount and in the order written,
/// so a later, more specific rule covers an earlier one:
/// <list type="bullet">
/// <item>read-only: the path's own host file (under the rootfs) bound read-only onto itself; a write is EROFS for
/// root inside too, whose capabilities hold no CAP_SYS_ADMIN to remount it.</item>
/// <item>hidden: a directory is covered by an empty read-only tmpfs, a file by an empty read-only file.</item>
/// <item>read-write: the default, so a mount only where it re-opens a path inside a read-only one.</item>
/// </list>
/// nodev is the overlay root's own flag, which runc's read-only remount must keep: inside the sandbox's user
/// namespace the kernel refuses to drop a flag the source mount carries. nosuid costs nothing under no_new_privs.
/// </summary>
public static class PathRuleMounts
{
    public static SpecOption WithPathRules(string rootfs, IReadOnlyList<ResolvedPathRule> rules, string emptyFile) => spec =>
    {
        if (!Path.IsPathFullyQualified(rootfs) || !Path.IsPathFullyQualified(emptyFile))
        {
            throw new ArgumentException($"path rule sources must be absolute: {rootfs}, {emptyFile}");
        }

        var mounts = spec.Mounts.ToList();
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (!rule.Path.StartsWith('/') || rule.Path == "/")
            {
                throw new ArgumentException($"a path rule needs an absolute path below '/': '{rule.Path}'", nameof(rules));
            }

            // Every standard and agent mount stays as it is: the policy checks refuse rules that would cover them.
            if (mounts.Any(m => m.Destination == rule.Path))
            {
                throw new ArgumentException($"'{rule.Path}' already has a mount in the spec", nameof(rules));
            }

            var source = rootfs.TrimEnd('/') + rule.Path;
            MountSpec? mount = rule.Access switch
            {
                PathAccess.ReadOnly => new MountSpec(rule.Path, "bind", source, ["bind", "ro", "nosuid", "nodev"]),
                PathAccess.Hidden when rule.IsDirectory => new MountSpec(rule.Path, "tmpfs", "tmpfs", ["ro", "nosuid", "nodev", "noexec", "size=4k", "nr_inodes=1", "mode=0555"]),
                PathAccess.Hidden => new MountSpec(rule.Path, "bind", emptyFile, ["bind", "ro", "nosuid", "nodev", "noexec"]),
                PathAccess.ReadWrite when EnclosedByReadOnly(rules, i) => new MountSpec(rule.Path, "bind", source, ["bind", "nosuid", "nodev"]),
                _ => null,
            };
            if (mount is not null) mounts.Add(mount);
        }

        return spec with { Mounts = mounts };
    };

    private static bool EnclosedByReadOnly(IReadOnlyList<ResolvedPathRule> rules, int index)
    {
        var access = PathAccess.ReadWrite;
        for (var i = 0; i < index; i++)
        {
            var outer = rules[i].Path;
            if (rules[index].Path.StartsWith(outer + "/", StringComparison.Ordinal)) access = rules[i].Access;
        }

        return access == PathAccess.ReadOnly;
    }
}
