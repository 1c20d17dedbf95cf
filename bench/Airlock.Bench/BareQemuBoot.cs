using System.Diagnostics;
using System.Globalization;
using Airlock.Backends.MicroVm;

namespace Airlock.Bench;

/// <summary>
/// The microVM baseline: QEMU's microvm machine booting the same kernel and shared initramfs with the same
/// kernel command line, accelerator, CPU model and RAM as a sandbox, unjailed, with no disks, no agent and no
/// sandbox settings: the time until the guest reaches user space (its /init finds no settings and ends, which
/// the kernel reports on the console).
/// </summary>
internal sealed class BareQemuBoot(string qemu, long memoryMiB)
{
    private static readonly string[] UserSpaceMarkers = ["airlock-init:", "Attempted to kill init"];

    public async Task<double> TimeToUserSpaceAsync()
    {
        var kernel = GuestKernel.Find(new MicroVmBackendOptions().KernelDirectory) ?? throw new InvalidOperationException("no guest kernel: " + GuestKernel.Fix);
        var psi = new ProcessStartInfo(qemu)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in (string[])["-M", "microvm,x-option-roms=off", "-accel", "tcg,tb-size=64", "-cpu", "max",
                     "-m", memoryMiB.ToString(CultureInfo.InvariantCulture), "-smp", "1", "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
                     "-kernel", kernel.Vmlinuz, "-initrd", kernel.Initramfs, "-append", QemuCommandLine.AppendFor(kvm: false, HostTsc.Khz, verbose: false),
                     "-serial", "stdio"])
        {
            psi.ArgumentList.Add(arg);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        try
        {
            var console = new System.Text.StringBuilder();
            var buffer = new char[4096];
            while (!UserSpaceMarkers.Any(m => console.ToString().Contains(m, StringComparison.Ordinal)))
            {
                var n = await process.StandardOutput.ReadAsync(buffer.AsMemory());
                if (n == 0) throw new InvalidOperationException($"the bare guest ended without reaching user space: {console}");
                console.Append(buffer, 0, n);
            }

            return watch.Elapsed.TotalMilliseconds;
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync();
        }
    }
}
