using Airlock.Core;
using Airlock.Native;
using Airlock.Oci;
using Airlock.Oci.PathRules;
using Airlock.Policy;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Backends.Runc;

/// <summary>
/// Resolves a policy's <c>files</c> rules in a sandbox's overlay root on the host, before the sandbox starts, into
/// the real paths the OCI mounts bind. The runtime opens a bind source on the host, where an image's absolute
/// symlink (<c>/data -> /etc</c>) would name the host's own file: so every lookup is openat2 with RESOLVE_IN_ROOT
/// (symlinks and '..' resolved as if the rootfs were '/'), RESOLVE_NO_XDEV and RESOLVE_NO_MAGICLINKS, and the
/// result is the kernel's own name of the file found, which must lie below the rootfs. A missing path becomes an
/// empty directory owned by the sandbox's root, in its writable layer. Nothing inside the sandbox runs yet, so
/// nothing can swap a name between this resolution and the runtime's mount.
/// </summary>
internal static class PathRuleResolver
{
    private const ulong ResolveFlags = OpenFlags.ResolveInRoot | OpenFlags.ResolveNoXdev | OpenFlags.ResolveNoMagicLinks;
    private const uint Mode0755 = 0x1ED;

    /// <param name="createMissing">
    /// False where the rootfs is only the image seen from the host (the microVM tier): a missing path is then
    /// named as written below its deepest existing, resolved parent, for the guest to create.
    /// </param>
    public static IReadOnlyList<ResolvedPathRule> Resolve(string rootfs, IReadOnlyList<FileRule> rules, bool createMissing = true)
    {
        if (rules.Count == 0) return [];
        rootfs = Path.GetFullPath(rootfs).TrimEnd('/');
        Check(NativeFs.Open(rootfs, OpenFlags.Path | OpenFlags.Directory, out var root), rootfs, "opening the sandbox's root");
        using (root)
        {
            var resolved = new List<ResolvedPathRule>();
            foreach (var rule in rules)
            {
                var (path, isDirectory) = ResolveOne(root, rootfs, rule.Path, createMissing);
                var result = new ResolvedPathRule(path, rule.Access, isDirectory);
                RefuseConflict(rule, result, rules, resolved);
                resolved.Add(result);
            }

            return resolved;
        }
    }

    private static (string Path, bool IsDirectory) ResolveOne(SafeFileHandle root, string rootfs, string rulePath, bool createMissing)
    {
        var parts = rulePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        SafeFileHandle? current = null;
        try
        {
            for (var i = 1; i <= parts.Length; i++)
            {
                var prefix = string.Join('/', parts[..i]);
                var rc = NativeFs.OpenAt2(root, prefix, OpenFlags.Path, 0, ResolveFlags, out var next);
                if (rc == Errno.ENOENT && !createMissing)
                {
                    if (NativeFs.StatAt(current ?? root, parts[i - 1], out _) == 0)
                    {
                        throw AirlockException.Invalid($"files rule '{rulePath}': '{parts[i - 1]}' in the image is a symlink to nothing");
                    }

                    var parent = current is null ? "" : HostPath(current, rootfs, rulePath)[rootfs.Length..];
                    return (parent + "/" + string.Join('/', parts[(i - 1)..]), true);
                }

                if (rc == Errno.ENOENT)
                {
                    // Missing: an empty directory in the resolved parent (the root itself for the first part).
                    var parent = current ?? root;
                    Check(NativeFs.MakeDirectoryAt(parent, parts[i - 1], Mode0755), rulePath, $"creating '{parts[i - 1]}'");
                    rc = NativeFs.OpenAt(parent, parts[i - 1], OpenFlags.Path | OpenFlags.Directory | OpenFlags.NoFollow, 0, out next);
                    Check(rc, rulePath, "opening the directory it created");
                    var created = HostPath(next, rootfs, rulePath);
                    Check(HostMountCalls.ChangeOwner(created, HostIdRange.Base, HostIdRange.Base), rulePath, "giving the new directory to the sandbox's root");
                }
                else
                {
                    Check(rc, rulePath, $"resolving '/{prefix}' in the image");
                }

                current?.Dispose();
                current = next;
            }

            Check(NativeFs.StatAt(current!, "", out var status), rulePath, "stat");
            if (!status.IsDirectory && !status.IsRegularFile)
            {
                throw AirlockException.Invalid($"files rule '{rulePath}': only a directory or a regular file can have a rule, and this is neither");
            }

            return (HostPath(current!, rootfs, rulePath)[rootfs.Length..], status.IsDirectory);
        }
        finally
        {
            current?.Dispose();
        }
    }

    /// <summary>The kernel's name of the open file (no symlink in it), which must lie strictly below the rootfs.</summary>
    private static string HostPath(SafeFileHandle handle, string rootfs, string rulePath)
    {
        var target = new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;
        if (target is null || !target.StartsWith(rootfs + "/", StringComparison.Ordinal) || target.EndsWith(" (deleted)", StringComparison.Ordinal))
        {
            throw AirlockException.Invalid($"files rule '{rulePath}' does not resolve to a path inside the sandbox's root");
        }

        return target;
    }

    /// <summary>The policy checks ran on the paths as written; a symlink in the image can make two rules meet, so check again on the real paths.</summary>
    private static void RefuseConflict(FileRule rule, ResolvedPathRule result, IReadOnlyList<FileRule> rules, List<ResolvedPathRule> earlier)
    {
        for (var i = 0; i < earlier.Count; i++)
        {
            var before = earlier[i].Path;
            var covers = before == result.Path || before.StartsWith(result.Path + "/", StringComparison.Ordinal);
            var insideHidden = earlier[i].Access == PathAccess.Hidden && result.Path.StartsWith(before + "/", StringComparison.Ordinal);
            if (covers || insideHidden)
            {
                throw AirlockException.Invalid(
                    $"files rule '{rule.Path}' resolves in the image to '{result.Path}', which {(covers ? "covers" : "is inside the hidden")} '{before}' of the earlier rule '{rules[i].Path}'; name the real paths, in order from the enclosing one");
            }
        }
    }

    private static void Check(int errno, string rulePath, string what)
    {
        if (errno == 0) return;
        if (errno is Errno.ENOTDIR or Errno.EEXIST or Errno.ELOOP or Errno.EXDEV)
        {
            throw AirlockException.Invalid($"files rule '{rulePath}': {what}: {Errno.Message(errno)} (a file where a directory is needed, or a symlink the rule cannot follow)");
        }

        throw new HostCommandException($"files rule '{rulePath}': {what}: {Errno.Message(errno)}");
    }
}
