using Airlock.Native;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Guest.Files;

internal sealed partial class SandboxFileSystem
{
    /// <summary>
    /// Opens a regular file for reading. O_NONBLOCK keeps a FIFO from blocking the open; anything but
    /// a regular file (FIFO, device, socket) is refused so a read always ends.
    /// </summary>
    public (FileStream Content, FileEntry Entry) OpenRead(string path)
    {
        string[] parts = SandboxPath.Split(path);
        string display = SandboxPath.Join(parts);
        var handle = Open(parts, OpenFlags.ReadOnly | OpenFlags.NonBlock);
        try
        {
            FileEntry entry = Describe(handle, "", parts.Length == 0 ? "/" : parts[^1], display);
            if (entry.Kind != FileKind.File)
            {
                throw AirlockException.Invalid($"'{display}' is not a regular file");
            }

            return (new FileStream(handle, FileAccess.Read, bufferSize: 0), entry);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates or truncates a regular file. The full path goes through openat2 with O_CREAT, so the
    /// parent must exist (ENOENT) and a final symlink is followed only while it stays inside the root.
    /// </summary>
    public FileStream OpenWrite(string path, int? mode)
    {
        string[] parts = SandboxPath.Split(path);
        string display = SandboxPath.Join(parts);
        if (parts.Length == 0)
        {
            throw AirlockException.Invalid("'/' is a directory");
        }

        var handle = Open(parts, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Truncate | OpenFlags.NonBlock, 0x1A4); // 0644
        try
        {
            FileEntry entry = Describe(handle, "", parts[^1], display);
            if (entry.Kind != FileKind.File)
            {
                throw AirlockException.Invalid($"'{display}' is not a regular file");
            }

            if (mode is { } m)
            {
                int rc = NativeFs.ChangeMode(handle, (uint)(m & 0xFFF));
                if (rc != 0)
                {
                    throw FileSystemErrors.From(rc, display);
                }
            }

            return new FileStream(handle, FileAccess.Write, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The entry for an open fd (after a write, to report the final size).</summary>
    public static FileEntry Describe(SafeFileHandle handle, string path)
    {
        string[] parts = SandboxPath.Split(path);
        return Describe(handle, "", parts.Length == 0 ? "/" : parts[^1], SandboxPath.Join(parts));
    }
}
