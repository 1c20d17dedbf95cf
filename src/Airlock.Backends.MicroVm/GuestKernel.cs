namespace Airlock.Backends.MicroVm;

/// <summary>The guest kernel and its initramfs, as <c>scripts/microvm-kernel.sh</c> leaves them.</summary>
internal sealed record GuestKernel(string Vmlinuz, string Initramfs, string Release)
{
    public const string Fix = "run scripts/microvm-kernel.sh (downloads Debian's cloud kernel without installing it)";

    public static GuestKernel? Find(string directory)
    {
        var vmlinuz = Path.Combine(directory, "vmlinuz");
        var initramfs = Path.Combine(directory, "initramfs.cpio");
        if (!File.Exists(vmlinuz) || !File.Exists(initramfs))
        {
            return null;
        }

        // current -> 6.1.0-56-cloud-amd64: the release is the link target's name.
        var release = new DirectoryInfo(directory).ResolveLinkTarget(returnFinalTarget: true)?.Name ?? Path.GetFileName(directory.TrimEnd('/'));
        return new GuestKernel(vmlinuz, initramfs, release);
    }
}
