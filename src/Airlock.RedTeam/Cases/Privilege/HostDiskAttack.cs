using System.Globalization;
using System.Security.Cryptography;
using Airlock.RedTeam.Host;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Privilege;

/// <summary>
/// mknod(2) of block nodes for the host's disks, then a read of their first 64 KiB. The host judges by the SHA-256
/// of those bytes, which only it knows. Some hosts refuse even their own root a read of the disk (this VM's /dev/vda
/// answers EPERM), which left the case without evidence: so the battery also attaches a bait disk of its own — a
/// loop device over a file of random bytes, readable by the host, never shown to the sandbox — and targets it too.
/// </summary>
internal sealed class HostDiskAttack : IAttackCase
{
    private const int HeadBytes = 65536;

    public string Category => Categories.Privilege;

    public string Name => "mknod-host-disk";

    public string Attempts =>
        "mknod(2) block nodes for the host's disks and a bait loop device of the battery's (majors/minors the host names) and read 64 KiB; host: the sha256 of their first 64 KiB never appears";

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Path.GetTempPath(), $"airlock-redteam-bait-{context.Nonce}.img");
        string? device = null;
        try
        {
            var bytes = RandomNumberGenerator.GetBytes(HeadBytes * 2);
            await File.WriteAllBytesAsync(file, bytes, cancellationToken);
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            device = (await HostCommand.OutputAsync("losetup", ["--find", "--show", "--read-only", file], cancellationToken))?.Trim();
            var disks = HostDisks().ToList();
            if (device is { Length: > 0 } && DeviceNumber(Path.GetFileName(device)) is { } bait)
            {
                disks.Add(new Disk($"{Path.GetFileName(device)} (the battery's bait)", bait.Major, bait.Minor, Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, HeadBytes)))));
            }

            return await ScriptFor(disks).RunAsync(context, cancellationToken);
        }
        finally
        {
            if (device is { Length: > 0 }) await HostCommand.OutputAsync("losetup", ["-d", device], CancellationToken.None);
            File.Delete(file);
        }
    }

    /// <summary>The host's whole disks (/sys/block, loop/ram/zram excluded) and the hash of their first 64 KiB.</summary>
    private static IReadOnlyList<Disk> HostDisks()
    {
        var disks = new List<Disk>();
        if (!Directory.Exists("/sys/block")) return disks;
        foreach (var block in Directory.GetDirectories("/sys/block"))
        {
            var name = Path.GetFileName(block);
            if (name.StartsWith("loop", StringComparison.Ordinal) || name.StartsWith("ram", StringComparison.Ordinal) || name.StartsWith("zram", StringComparison.Ordinal)) continue;
            if (DeviceNumber(name) is not { } number) continue;
            if (HostFiles.Head("/dev/" + name, HeadBytes) is not { Length: HeadBytes } head) continue;
            disks.Add(new Disk(name, number.Major, number.Minor, Convert.ToHexStringLower(SHA256.HashData(head))));
        }

        return disks;
    }

    /// <summary>A block device's major and minor number, from /sys/block/NAME/dev ("8:0").</summary>
    private static (int Major, int Minor)? DeviceNumber(string name) =>
        HostFiles.ReadText($"/sys/block/{name}/dev")?.Trim().Split(':') is [var major, var minor]
            ? (int.Parse(major, CultureInfo.InvariantCulture), int.Parse(minor, CultureInfo.InvariantCulture))
            : null;

    private ScriptAttack ScriptFor(IReadOnlyList<Disk> disks) => new()
    {
        Category = Category,
        Name = Name,
        Attempts = Attempts,
        Python = true,
        Script = _ => Attack.Py + $$"""
            for i, (maj, mi) in enumerate([{{string.Join(", ", disks.Select(d => $"({d.Major}, {d.Minor})"))}}]):
                p = f'/tmp/disk{i}'
                try:
                    os.mknod(p, 0o600 | 0o060000, os.makedev(maj, mi)); say('mknod ok', maj, mi)
                    with open(p, 'rb') as f: say('disk head sha256', hashlib.sha256(f.read(65536)).hexdigest())
                except OSError as e:
                    say('disk', maj, mi, e)
            for d in ['/dev/vda', '/dev/sda', '/dev/nvme0n1', '/dev/xvda', '/dev/loop0']:
                try:
                    with open(d, 'rb') as f: say(d, hashlib.sha256(f.read(65536)).hexdigest())
                except OSError as e:
                    pass
            """,
        HostSecrets = _ => [.. disks.Select(d => (d.Sha256, $"the first 64 KiB of host disk {d.Name}"))],
        NeedsHostSecrets = true,
    };

    /// <summary>A disk the attack targets: the host knows the SHA-256 of its first 64 KiB; the sandbox must never print it.</summary>
    private sealed record Disk(string Name, int Major, int Minor, string Sha256);
}
