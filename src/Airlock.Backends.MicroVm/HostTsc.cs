using System.Globalization;
using System.Runtime.Intrinsics.X86;

namespace Airlock.Backends.MicroVm;

/// <summary>
/// The host's TSC frequency, which a TCG guest must be told (<c>tsc_early_khz=</c>). Under TCG the guest's
/// <c>rdtsc</c> returns the host's TSC, but the guest has no reference to measure it against: microvm has no
/// HPET and no ACPI PM timer, so the kernel's only calibration is against the emulated PIT, over a window of a
/// few milliseconds. When QEMU's vCPU thread is descheduled inside that window (a CPU quota, a busy host) the
/// calibration fails, the kernel marks the TSC unstable with an unknown frequency, and under microvm it then
/// hangs for good right after <c>APIC: Switch to symmetric I/O mode setup</c> (the LAPIC timer cannot be set up
/// and the PIT interrupt is never delivered). Giving the frequency skips the calibration: boot no longer
/// depends on host scheduling. Not needed under KVM (kvm-clock).
/// </summary>
internal static class HostTsc
{
    private static readonly Lazy<long?> Cached = new(Detect);

    /// <summary>kHz, or null when the host does not say (then the guest calibrates, and may hang as above).</summary>
    public static long? Khz => Cached.Value;

    private static long? Detect() => FromCpuid() ?? FromCpuInfo(ReadCpuInfo());

    /// <summary>CPUID 0x15 (TSC/crystal ratio, Intel) or the hypervisor timing leaf 0x40000010 (VMware, some KVM VMMs).</summary>
    private static long? FromCpuid()
    {
        if (!X86Base.IsSupported) return null;
        var (maxLeaf, _, _, _) = X86Base.CpuId(0, 0);
        if (maxLeaf >= 0x15)
        {
            var (denominator, numerator, crystalHz, _) = X86Base.CpuId(0x15, 0);
            if (denominator != 0 && numerator != 0 && crystalHz != 0) return (long)crystalHz * numerator / denominator / 1000;
        }

        var (_, _, hypervisor, _) = X86Base.CpuId(1, 0);
        if ((hypervisor & (1 << 31)) != 0 && (uint)X86Base.CpuId(0x40000000, 0).Eax >= 0x40000010)
        {
            var (khz, _, _, _) = X86Base.CpuId(0x40000010, 0);
            if (khz > 0) return khz;
        }

        return null;
    }

    /// <summary>
    /// The kernel's "cpu MHz" is its TSC-derived <c>cpu_khz</c> unless it can read the actual clock (APERF/MPERF):
    /// trusted only with an invariant TSC (<c>constant_tsc</c> + <c>nonstop_tsc</c>) and without <c>aperfmperf</c>,
    /// which is the usual nested-virtualisation host, the case where TCG is used at all.
    /// </summary>
    internal static long? FromCpuInfo(string cpuinfo)
    {
        string? mhz = null;
        string? flags = null;
        foreach (var line in cpuinfo.Split('\n'))
        {
            if (line.Length == 0 && (mhz is not null || flags is not null)) break; // first processor only
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            var key = line[..colon].Trim();
            if (key == "cpu MHz") mhz = line[(colon + 1)..].Trim();
            else if (key == "flags") flags = " " + line[(colon + 1)..].Trim() + " ";
        }

        if (mhz is null || flags is null) return null;
        if (!flags.Contains(" constant_tsc ", StringComparison.Ordinal) || !flags.Contains(" nonstop_tsc ", StringComparison.Ordinal)) return null;
        if (flags.Contains(" aperfmperf ", StringComparison.Ordinal)) return null;
        return double.TryParse(mhz, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 100
            ? (long)Math.Round(value * 1000)
            : null;
    }

    private static string ReadCpuInfo()
    {
        try
        {
            return File.ReadAllText("/proc/cpuinfo");
        }
        catch (IOException)
        {
            return "";
        }
    }
}
