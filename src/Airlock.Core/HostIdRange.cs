namespace Airlock.Core;

/// <summary>
/// The unprivileged host uid/gid range that a sandbox's users map to: root inside is
/// <see cref="Base"/> outside, never host root. Image files are owned by this range so that root
/// inside can use them without any privilege on the host.
/// </summary>
public static class HostIdRange
{
    public const uint Base = 100_000_000;

    public const uint Size = 65_536;
}
