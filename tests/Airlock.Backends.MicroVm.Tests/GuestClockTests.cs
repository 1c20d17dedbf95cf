namespace Airlock.Backends.MicroVm.Tests;

public sealed class GuestClockTests
{
    private const string VmCpuInfo = "processor\t: 0\ncpu MHz\t\t: 2445.404\nflags\t\t: fpu tsc constant_tsc nonstop_tsc tsc_known_freq hypervisor\n\nprocessor\t: 1\ncpu MHz\t\t: 1.000\n";

    [Fact]
    public void CpuInfo_GivesTheTscOfAnInvariantTscHost_FromTheFirstProcessor() =>
        Assert.Equal(2445404, HostTsc.FromCpuInfo(VmCpuInfo));

    [Theory]
    [InlineData("processor\t: 0\ncpu MHz\t\t: 2445.404\nflags\t\t: fpu tsc\n")] // TSC rate may change: not the TSC's
    [InlineData("processor\t: 0\ncpu MHz\t\t: 3100.000\nflags\t\t: constant_tsc nonstop_tsc aperfmperf\n")] // the measured clock, not the TSC's
    [InlineData("processor\t: 0\nflags\t\t: constant_tsc nonstop_tsc\n")]
    [InlineData("")]
    public void CpuInfo_IsNotTrusted_WhenItMayNotBeTheTscRate(string cpuinfo) => Assert.Null(HostTsc.FromCpuInfo(cpuinfo));

    [Fact]
    public void TcgGuests_AreToldTheTscRate_KvmGuestsAreNot()
    {
        Assert.EndsWith(" tsc_early_khz=2445404", QemuCommandLine.AppendFor(kvm: false, 2445404, verbose: false), StringComparison.Ordinal);
        Assert.DoesNotContain("tsc_early_khz", QemuCommandLine.AppendFor(kvm: true, 2445404, verbose: false), StringComparison.Ordinal);
        Assert.Equal(QemuCommandLine.KernelArgs, QemuCommandLine.AppendFor(kvm: false, null, verbose: false));
        Assert.DoesNotContain(" quiet", QemuCommandLine.AppendFor(kvm: false, null, verbose: true), StringComparison.Ordinal);
    }
}
