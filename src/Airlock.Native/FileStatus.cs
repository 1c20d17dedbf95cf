namespace Airlock.Native;

/// <summary>The parts of statx(2) the agent reports. <see cref="Mode"/> holds the type bits and the permission bits.</summary>
public readonly record struct FileStatus(uint Mode, long Size, long ModifiedSeconds, uint ModifiedNanoseconds)
{
    private const uint TypeMask = 0xF000;

    /// <summary>The owner's uid.</summary>
    public uint OwnerId { get; init; }

    public bool IsDirectory => (Mode & TypeMask) == 0x4000;

    public bool IsRegularFile => (Mode & TypeMask) == 0x8000;

    public bool IsSymlink => (Mode & TypeMask) == 0xA000;

    /// <summary>Permission bits including setuid/setgid/sticky (07777).</summary>
    public int Permissions => (int)(Mode & 0xFFF);

    public DateTimeOffset ModifiedAt =>
        DateTimeOffset.FromUnixTimeSeconds(ModifiedSeconds).AddTicks(ModifiedNanoseconds / 100);
}
