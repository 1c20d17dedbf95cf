using Airlock.Core;

namespace Airlock.Backends.MicroVm;

public sealed record MicroVmBackendOptions
{
    public string QemuPath { get; init; } = "qemu-system-x86_64";

    /// <summary>Holds <c>vmlinuz</c> and <c>initramfs.cpio</c> as written by <c>scripts/microvm-kernel.sh</c>.</summary>
    public string KernelDirectory { get; init; } = Environment.GetEnvironmentVariable("AIRLOCK_KERNELS") is { Length: > 0 } kernels
        ? Path.Combine(kernels, "current")
        : "/var/lib/airlock/kernels/current";

    /// <summary>
    /// Whether the tier is offered without a usable KVM (TCG: a VM boundary still, but 10-50x slower) when
    /// asked for by name (<c>--isolation microvm</c>). <c>AIRLOCK_MICROVM_TCG=never</c> turns it off.
    /// </summary>
    public bool AllowTcg { get; init; } = Environment.GetEnvironmentVariable("AIRLOCK_MICROVM_TCG") != "never";

    /// <summary>
    /// Whether <c>auto</c> (and so a policy's <c>isolation.minimum: microvm</c>) may use TCG: off unless
    /// <c>AIRLOCK_MICROVM_TCG=auto</c>, because a TCG boot takes seconds where KVM takes well under one.
    /// </summary>
    public bool TcgForAuto { get; init; } = Environment.GetEnvironmentVariable("AIRLOCK_MICROVM_TCG") == "auto";

    /// <summary>The unprivileged host uid and gid QEMU and the bridge run as: the first id after the
    /// container tier's range, so no container process shares it (and so could signal or ptrace QEMU).</summary>
    public uint VmmUid { get; init; } = HostIdRange.Base + HostIdRange.Size;

    /// <summary>
    /// Guest RAM beyond the user's memory limit, for the guest kernel, the initramfs it unpacks and the page cache:
    /// the user's limit is the guest's memory cgroup, so the VM needs room around it (a 64 MiB VM does not boot).
    /// </summary>
    public long GuestKernelBytes { get; init; } = 128L << 20;

    /// <summary>QEMU's own memory on top of the guest's (device model, TCG translation cache, bridge).</summary>
    public long VmmOverheadBytes { get; init; } = 320L << 20;

    /// <summary>
    /// Whether a guest may come from a template snapshot instead of a kernel boot (see <see cref="GuestTemplate"/>): under
    /// TCG, for a sandbox without a network. <c>AIRLOCK_MICROVM_SNAPSHOTS=off</c> boots every guest.
    /// </summary>
    public bool Snapshots { get; init; } = Environment.GetEnvironmentVariable("AIRLOCK_MICROVM_SNAPSHOTS") != "off";

    /// <summary>
    /// Where template snapshots are kept: a tmpfs (memory; a cache that a reboot empties), shared by every data directory
    /// of the host, since a template's key names every file it depends on. <c>AIRLOCK_MICROVM_TEMPLATES</c> overrides.
    /// </summary>
    public string TemplateDirectory { get; init; } = Environment.GetEnvironmentVariable("AIRLOCK_MICROVM_TEMPLATES") is { Length: > 0 } templates
        ? templates
        : "/dev/shm/airlock-microvm-templates";

    /// <summary>Boot under TCG takes seconds; KVM well under one.</summary>
    public TimeSpan AgentReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan KvmProbeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Diagnostics: kernel messages and the agent's log on the guest console (the 64 KiB ring QMP reads).</summary>
    internal bool VerboseConsole { get; init; }

    /// <summary>Observability hook: called with each CreateAsync step and how long it took.</summary>
    internal Action<string, TimeSpan>? OnCreateStep { get; init; }
}
