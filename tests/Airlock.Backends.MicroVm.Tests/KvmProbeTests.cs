namespace Airlock.Backends.MicroVm.Tests;

[Collection(MicroVmCollection.Name)]
public sealed class KvmProbeTests
{
    /// <summary>The verdict comes from a boot, not from the device node: where /dev/kvm exists, the reason says how the boot went.</summary>
    [MicroVmFact]
    public async Task Probe_JudgesKvmByBooting_NotByTheDeviceNode()
    {
        var kernel = GuestKernel.Find(new MicroVmBackendOptions().KernelDirectory)!;
        var cache = Path.Combine(Path.GetTempPath(), $"airlock-kvm-probe-{Guid.NewGuid():N}.json");
        try
        {
            var result = await Task.Run(() => KvmProbe.Run("qemu-system-x86_64", kernel, cache, TimeSpan.FromSeconds(10)));
            if (!File.Exists("/dev/kvm"))
            {
                Assert.StartsWith("no /dev/kvm (", result.Reason, StringComparison.Ordinal);
            }
            else
            {
                Assert.True(result.Usable ? result.Reason.StartsWith("KVM usable", StringComparison.Ordinal) : result.Reason.StartsWith("KVM present but unusable", StringComparison.Ordinal), result.Reason);
            }

            Assert.Equal(result, KvmProbe.Run("qemu-system-x86_64", kernel, cache, TimeSpan.FromSeconds(10)));
        }
        finally
        {
            File.Delete(cache);
        }
    }
}
