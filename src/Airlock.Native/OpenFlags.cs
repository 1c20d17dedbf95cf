namespace Airlock.Native;

/// <summary>open(2) and openat2(2) flag values for Linux (x86-64 and arm64 share them except where noted).</summary>
public static class OpenFlags
{
    public const int ReadOnly = 0x0;
    public const int WriteOnly = 0x1;
    public const int Create = 0x40;
    public const int Exclusive = 0x80;
    public const int Truncate = 0x200;
    public const int NonBlock = 0x800;
    public const int CloseOnExec = 0x80000;
    public const int Path = 0x200000;

    /// <summary>O_DIRECTORY: 0x10000 on x86-64, 0x4000 on arm64.</summary>
    public static int Directory => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture
        is System.Runtime.InteropServices.Architecture.Arm64 ? 0x4000 : 0x10000;

    /// <summary>O_NOFOLLOW: 0x20000 on x86-64, 0x8000 on arm64.</summary>
    public static int NoFollow => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture
        is System.Runtime.InteropServices.Architecture.Arm64 ? 0x8000 : 0x20000;

    /// <summary>RESOLVE_NO_XDEV: fail with EXDEV when resolution would cross a mount point.</summary>
    public const ulong ResolveNoXdev = 0x01;

    /// <summary>RESOLVE_NO_MAGICLINKS: refuse /proc/self/fd style links during resolution.</summary>
    public const ulong ResolveNoMagicLinks = 0x02;

    /// <summary>RESOLVE_NO_SYMLINKS: refuse every symlink during resolution.</summary>
    public const ulong ResolveNoSymlinks = 0x04;

    /// <summary>RESOLVE_BENEATH: fail with EXDEV when resolution would leave the starting directory.</summary>
    public const ulong ResolveBeneath = 0x08;

    /// <summary>RESOLVE_IN_ROOT: resolve as if the starting directory were '/': absolute symlinks and '..' stay inside it.</summary>
    public const ulong ResolveInRoot = 0x10;
}
