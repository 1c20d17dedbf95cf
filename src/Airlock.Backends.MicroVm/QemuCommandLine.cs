using System.Globalization;

namespace Airlock.Backends.MicroVm;

/// <summary>
/// The QEMU argv of one sandbox: microvm machine, virtio-mmio devices only, no firmware; a NIC only when the sandbox
/// has a network (the tap <see cref="GuestNic"/> made, handed to QEMU as a descriptor).
/// </summary>
internal static class QemuCommandLine
{
    /// <summary>
    /// quiet: the console is a 64 KiB ring, and printing to a UART costs boot time under TCG. panic=-1 with
    /// -no-reboot: the agent exiting (TTL) ends the guest. tsc=reliable, no_timer_check: skip calibrations
    /// that are slow or flaky under emulation. The i8042 probes find nothing on microvm and only cost time.
    /// </summary>
    public const string KernelArgs = "console=ttyS0 panic=-1 quiet tsc=reliable no_timer_check i8042.noaux i8042.nokbd i8042.nopnp cryptomgr.notests";

    /// <summary>The kernel command line: under TCG with the host's TSC frequency, so the guest never calibrates (see <see cref="HostTsc"/>).</summary>
    public static string AppendFor(bool kvm, long? tscKhz, bool verbose)
    {
        var append = verbose ? KernelArgs.Replace(" quiet", "", StringComparison.Ordinal) : KernelArgs;
        return !kvm && tscKhz is > 0 ? append + " tsc_early_khz=" + tscKhz.Value.ToString(CultureInfo.InvariantCulture) : append;
    }

    /// <param name="initrd">The sandbox's own (<see cref="MicroVmLayout.Initrd"/>) or its template's.</param>
    /// <param name="incoming">Restore the guest from a template's state streamed into this socket instead of booting it.</param>
    public static IReadOnlyList<string> Build(string qemu, GuestKernel kernel, MicroVmLayout layout, string initrd, string baseDisk, bool kvm, long memoryBytes, double cpus, bool verbose = false, long? tscKhz = null, bool nic = false, string? incoming = null)
    {
        string[] network = nic
            ? ["-netdev", $"tap,id=net,fd={GuestNic.TapDescriptor.ToString(CultureInfo.InvariantCulture)}", "-device", "virtio-net-device,netdev=net"]
            : [];
        var memoryMiB = Math.Max(64, memoryBytes >> 20).ToString(CultureInfo.InvariantCulture);
        var vcpus = Math.Max(1, (int)Math.Ceiling(cpus)).ToString(CultureInfo.InvariantCulture);
        return
        [
            qemu,
            "-M", "microvm,x-option-roms=off",
            // tb-size: TCG's translation cache defaults to 1 GiB, which the VMM cgroup would have to allow.
            "-accel", kvm ? "kvm" : "tcg,tb-size=64",
            "-cpu", "max",
            "-m", memoryMiB,
            "-smp", vcpus,
            "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
            // -no-shutdown: a guest that powers off (init failure) or panics (agent exit) stays inspectable over
            // QMP (console ring) until Destroy kills QEMU; GetState reports it Stopped.
            "-no-shutdown",
            "-kernel", kernel.Vmlinuz,
            "-initrd", initrd,
            "-append", AppendFor(kvm, tscKhz, verbose),
            "-chardev", "ringbuf,id=console,size=65536",
            "-serial", "chardev:console",
            "-drive", $"id=base,file={baseDisk},format=raw,if=none,readonly=on",
            "-device", "virtio-blk-device,drive=base",
            "-drive", $"id=disk,file={layout.DiskImage},format=raw,if=none",
            "-device", "virtio-blk-device,drive=disk",
            "-device", "virtio-serial-device",
            "-chardev", $"socket,id=agent,path={layout.SerialSocket},server=on,wait=off",
            "-device", "virtserialport,chardev=agent,name=airlock",
            .. network,
            .. incoming is null ? (string[])[] : ["-incoming", "unix:" + incoming],
            "-qmp", $"unix:{layout.QmpSocket},server=on,wait=off",
            "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
        ];
    }
}
