using Airlock.Core;
using Airlock.Oci;
using Airlock.Oci.PathRules;
using Airlock.Oci.Spec;
using Airlock.Policy;

namespace Airlock.Backends.Runc.Tests;

/// <summary>A policy's <c>files</c> rules: resolved in a rootfs without leaving it, and turned into OCI mounts.</summary>
public sealed class PathRuleTests : IDisposable
{
    private const string Rootfs = "/var/lib/airlock/sandboxes/abc/rootfs";
    private const string Empty = "/var/lib/airlock/sandboxes/abc/disk/empty";
    private readonly string _root = Directory.CreateTempSubdirectory("airlock-pathrules-").FullName;

    private static RuntimeSpec Build(params ResolvedPathRule[] rules) =>
        SpecBuilder.Build(SpecOptions.WithAgentBinary("/usr/lib/airlock/agent"), PathRuleMounts.WithPathRules(Rootfs, rules, Empty));

    [Fact]
    public void ReadOnly_IsTheRootfsPathBoundReadOnlyOntoItself_AfterEveryOtherMount()
    {
        var spec = Build(new ResolvedPathRule("/data", PathAccess.ReadOnly, true));
        var mount = spec.Mounts[^1];
        Assert.Equal(("/data", "bind", Rootfs + "/data"), (mount.Destination, mount.Type, mount.Source));
        Assert.Equal(["bind", "ro", "nosuid", "nodev"], mount.Options);
        Assert.Equal(AgentContract.BinaryPath, spec.Mounts[^2].Destination);
    }

    [Fact]
    public void Hidden_IsAnEmptyReadOnlyTmpfsForADirectory_AndTheEmptyFileForAFile()
    {
        var spec = Build(new ResolvedPathRule("/secret", PathAccess.Hidden, true), new ResolvedPathRule("/etc/key", PathAccess.Hidden, false));
        var directory = spec.Mounts[^2];
        Assert.Equal(("/secret", "tmpfs", "tmpfs"), (directory.Destination, directory.Type, directory.Source));
        Assert.Contains("ro", directory.Options);
        Assert.Contains("noexec", directory.Options);
        var file = spec.Mounts[^1];
        Assert.Equal(("/etc/key", "bind", Empty), (file.Destination, file.Type, file.Source));
        Assert.Contains("ro", file.Options);
    }

    [Fact]
    public void ReadWrite_MountsOnlyWhereItReopensAPathInsideAReadOnlyOne()
    {
        var spec = Build(
            new ResolvedPathRule("/workspace", PathAccess.ReadWrite, true),
            new ResolvedPathRule("/data", PathAccess.ReadOnly, true),
            new ResolvedPathRule("/data/out", PathAccess.ReadWrite, true),
            new ResolvedPathRule("/database", PathAccess.ReadWrite, true));
        var rules = spec.Mounts.SkipWhile(m => m.Destination != "/data").ToList();
        Assert.Equal(["/data", "/data/out"], rules.Select(m => m.Destination));
        Assert.Equal(["bind", "nosuid", "nodev"], rules[1].Options);
        Assert.Equal(Rootfs + "/data/out", rules[1].Source);
    }

    [Fact]
    public void ARuleOnAnExistingMount_IsRefused() =>
        Assert.Throws<ArgumentException>(() => Build(new ResolvedPathRule(AgentContract.BinaryPath, PathAccess.ReadOnly, false)));

    [Fact]
    public void Resolve_FollowsAnAbsoluteSymlinkInsideTheRoot_NeverToTheHostsOwnPath()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc", "app"));
        File.WriteAllText(Path.Combine(_root, "etc", "app", "conf"), "inside");
        File.CreateSymbolicLink(Path.Combine(_root, "data"), "/etc/app");
        File.CreateSymbolicLink(Path.Combine(_root, "up"), "../../../../../etc");

        var resolved = PathRuleResolver.Resolve(_root, [Rule("/up/app", PathAccess.ReadOnly), Rule("/data/conf", PathAccess.Hidden)]);

        Assert.Equal(new ResolvedPathRule("/etc/app", PathAccess.ReadOnly, true), resolved[0]);
        Assert.Equal(new ResolvedPathRule("/etc/app/conf", PathAccess.Hidden, false), resolved[1]);
        Assert.Equal("inside", File.ReadAllText(Path.Combine(_root, "etc", "app", "conf")));
    }

    [Fact]
    public void Resolve_CreatesAMissingPathAsEmptyDirectoriesOwnedByTheSandboxsRoot()
    {
        var resolved = PathRuleResolver.Resolve(_root, [Rule("/srv/data/in", PathAccess.ReadOnly)]);
        Assert.Equal(new ResolvedPathRule("/srv/data/in", PathAccess.ReadOnly, true), Assert.Single(resolved));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "srv", "data", "in")));
        Assert.Equal("100000000", Stat("%u", Path.Combine(_root, "srv", "data")));
    }

    [Fact]
    public void Resolve_WithoutCreating_NamesTheMissingRestBelowTheResolvedParent_AndCreatesNothing()
    {
        Directory.CreateDirectory(Path.Combine(_root, "usr", "share"));
        File.CreateSymbolicLink(Path.Combine(_root, "share"), "usr/share");
        var resolved = PathRuleResolver.Resolve(_root, [Rule("/share/missing/deep", PathAccess.ReadOnly)], createMissing: false);
        Assert.Equal("/usr/share/missing/deep", Assert.Single(resolved).Path);
        Assert.False(Directory.Exists(Path.Combine(_root, "usr", "share", "missing")));
    }

    [Fact]
    public void Resolve_RefusesRulesThatMeetThroughASymlink_AndAPathThroughAFile()
    {
        Directory.CreateDirectory(Path.Combine(_root, "real"));
        File.CreateSymbolicLink(Path.Combine(_root, "alias"), "real");
        File.WriteAllText(Path.Combine(_root, "file"), "");
        var meet = Assert.Throws<AirlockException>(() => PathRuleResolver.Resolve(_root, [Rule("/real/x", PathAccess.ReadOnly), Rule("/alias", PathAccess.Hidden)]));
        Assert.Contains("files rule '/alias' resolves in the image to '/real', which covers '/real/x'", meet.Message, StringComparison.Ordinal);
        var throughFile = Assert.Throws<AirlockException>(() => PathRuleResolver.Resolve(_root, [Rule("/file/x", PathAccess.ReadOnly)]));
        Assert.Contains("files rule '/file/x'", throughFile.Message, StringComparison.Ordinal);
    }

    private static FileRule Rule(string path, PathAccess access) => new() { Path = path, Access = access };

    private static string Stat(string format, string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true })!;
        var text = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return text;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
