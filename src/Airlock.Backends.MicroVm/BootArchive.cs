using System.Globalization;
using System.Text;

namespace Airlock.Backends.MicroVm;

/// <summary>
/// A sandbox's initrd: the shared initramfs (busybox, modules, /init) followed by a second cpio archive with
/// the agent binary and this sandbox's settings (a template's: <see cref="BootSettings.TemplateBootEnv"/> and no env). The kernel unpacks concatenated archives in order, so the
/// shared part is never rebuilt per sandbox. Written in the "newc" format directly (a header of hex fields).
/// </summary>
internal static class BootArchive
{
    public static Task WriteAsync(string destination, string sharedInitramfs, string agentPath, BootSettings settings, CancellationToken cancellationToken) =>
        WriteAsync(destination, sharedInitramfs, agentPath, settings.BootEnv(), settings.AgentEnv(), cancellationToken);

    public static async Task WriteAsync(string destination, string sharedInitramfs, string agentPath, string bootEnv, string env, CancellationToken cancellationToken)
    {
        await using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        await using (var shared = File.OpenRead(sharedInitramfs))
        {
            await shared.CopyToAsync(output, cancellationToken);
        }

        // The kernel expects each archive to start 4-byte aligned.
        Pad(output);
        var inode = 0x41_0000u;
        WriteEntry(output, inode++, "airlock/agent", 0x81ED, await File.ReadAllBytesAsync(agentPath, cancellationToken));
        WriteEntry(output, inode++, "airlock/boot.env", 0x8180, Encoding.UTF8.GetBytes(bootEnv));
        WriteEntry(output, inode, "airlock/env", 0x8180, Encoding.UTF8.GetBytes(env));
        WriteEntry(output, 0, "TRAILER!!!", 0, []);
        Pad(output);
    }

    private static void WriteEntry(Stream output, uint inode, string name, uint mode, byte[] data)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        var header = new StringBuilder("070701");
        foreach (var field in new uint[] { inode, mode, 0, 0, 1, 0, (uint)data.Length, 0, 0, 0, 0, (uint)nameBytes.Length, 0 })
        {
            header.Append(field.ToString("x8", CultureInfo.InvariantCulture));
        }

        output.Write(Encoding.ASCII.GetBytes(header.ToString()));
        output.Write(nameBytes);
        Pad(output);
        output.Write(data);
        Pad(output);
    }

    private static void Pad(Stream output)
    {
        while (output.Position % 4 != 0)
        {
            output.WriteByte(0);
        }
    }
}
