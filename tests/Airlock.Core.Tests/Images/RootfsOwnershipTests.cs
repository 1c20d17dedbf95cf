using Airlock.Core.Images;

namespace Airlock.Core.Tests.Images;

/// <summary>The ownership shift on a small hand-made tree (needs root, like every image build).</summary>
public sealed class RootfsOwnershipTests : IDisposable
{
    private const uint Base = HostIdRange.Base;
    private readonly TempImagesDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Shift_MovesOwnersIntoTheRange_KeepsSetuid_AndNeverFollowsLinks()
    {
        var outside = Path.Combine(_dir.Root, "host-secret");
        File.WriteAllText(outside, "host");
        var root = Path.Combine(_dir.Root, "rootfs");
        Directory.CreateDirectory(Path.Combine(root, "usr", "bin"));
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        var passwd = Path.Combine(root, "usr", "bin", "passwd");
        File.WriteAllText(passwd, "#!/bin/true");
        File.SetUnixFileMode(passwd, (UnixFileMode)0b100_111_101_101); // 04755
        var shadow = Path.Combine(root, "etc", "shadow");
        File.WriteAllText(shadow, "x");
        Run("chown", "0:42", shadow);
        File.CreateSymbolicLink(Path.Combine(root, "etc", "escape"), outside);
        Directory.CreateSymbolicLink(Path.Combine(root, "hostdir"), _dir.Root);
        Run("ln", shadow, Path.Combine(root, "etc", "shadow-hardlink"));

        var count = await RootfsOwnership.ShiftAsync(root, Base, CancellationToken.None);

        Assert.Equal(8, count); // root, usr, usr/bin, passwd, etc, shadow (once), escape, hostdir
        Assert.Equal((Base, Base, "4755"), TempImagesDirectory.Stat(passwd));
        Assert.Equal((Base, Base + 42, "644"), TempImagesDirectory.Stat(shadow));
        Assert.Equal(Base, TempImagesDirectory.Stat(Path.Combine(root, "etc", "escape")).Uid);
        Assert.Equal(0u, TempImagesDirectory.Stat(outside).Uid);
        Assert.Equal(0u, TempImagesDirectory.Stat(_dir.Root).Uid);
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(program, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
