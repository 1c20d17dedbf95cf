using System.Diagnostics;
using System.Text.Json;

namespace Airlock.Backends.MicroVm;

/// <summary>
/// Whether KVM works on this host, judged by booting the guest kernel under <c>-accel kvm</c> with a short
/// timeout, never by the presence of <c>/dev/kvm</c>: under nested virtualisation without the needed CPU
/// features the device exists but QEMU aborts (e.g. "failed to set MSR") or the guest never boots. The
/// probe guest is the shared initramfs alone: its /init finds no sandbox settings, says so on the console
/// and powers off — so "booted" means the kernel reached user space. The verdict is cached per host boot
/// (keyed by the kernel's boot_id) under /run/airlock.
/// </summary>
internal static class KvmProbe
{
    private const string Marker = "airlock-init:";

    public sealed record Result(bool Usable, string Reason, string BootId);

    public static Result Run(string qemu, GuestKernel kernel, string cacheFile, TimeSpan timeout)
    {
        var bootId = ReadBootId();
        if (TryReadCache(cacheFile, bootId) is { } cached) return cached;
        var result = Boot(qemu, kernel, bootId, timeout);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cacheFile)!);
            File.WriteAllText(cacheFile, JsonSerializer.Serialize(new[] { result.Usable ? "1" : "0", result.Reason, bootId }));
        }
        catch (IOException)
        {
        }

        return result;
    }

    private static Result Boot(string qemu, GuestKernel kernel, string bootId, TimeSpan timeout)
    {
        if (!File.Exists("/dev/kvm")) return new Result(false, "no /dev/kvm (no hardware virtualisation exposed to this host)", bootId);
        var start = new ProcessStartInfo(qemu)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-M", "microvm,x-option-roms=off", "-accel", "kvm", "-cpu", "host", "-m", "128", "-smp", "1",
                     "-nodefaults", "-no-user-config", "-nographic", "-no-reboot", "-kernel", kernel.Vmlinuz, "-initrd", kernel.Initramfs,
                     "-append", "console=ttyS0 panic=-1 quiet", "-serial", "stdio", "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"])
        {
            start.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start);
        if (process is null) return new Result(false, $"cannot start {qemu}", bootId);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill();
            process.WaitForExit();
            return new Result(false, $"KVM present but unusable (/dev/kvm exists, but a probe guest did not boot within {timeout.TotalSeconds:0}s)", bootId);
        }

        var console = stdout.GetAwaiter().GetResult();
        var errors = stderr.GetAwaiter().GetResult().Trim();
        // The current /init dies at `. /airlock/boot.env` (a missing file ends a busybox script) instead of
        // printing its marker, and the kernel panics: either way the guest reached user space.
        if (console.Contains(Marker, StringComparison.Ordinal) || console.Contains("Attempted to kill init", StringComparison.Ordinal))
        {
            return new Result(true, $"KVM usable (probe guest booted in {clock.Elapsed.TotalMilliseconds:0} ms)", bootId);
        }

        var why = errors.Split('\n').FirstOrDefault(l => l.Length > 0) ?? $"QEMU exited with {process.ExitCode}";
        return new Result(false, $"KVM present but unusable (/dev/kvm exists, but a probe guest failed: {why})", bootId);
    }

    private static Result? TryReadCache(string cacheFile, string bootId)
    {
        try
        {
            var fields = JsonSerializer.Deserialize<string[]>(File.ReadAllText(cacheFile));
            return fields is [var usable, var reason, var id] && id == bootId ? new Result(usable == "1", reason, id) : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string ReadBootId()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
