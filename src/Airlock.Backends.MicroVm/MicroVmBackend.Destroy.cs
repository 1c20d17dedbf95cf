using Airlock.Native;

namespace Airlock.Backends.MicroVm;

public sealed partial class MicroVmBackend
{
    private const int SigKill = 9;

    /// <summary>
    /// Undoes CreateAsync from any point, from the id alone: SIGKILL every member of the sandbox's cgroups
    /// (QEMU, the bridge, a wrapper that never got to exec; by pid, and only pids that are members, so a
    /// recycled pid in a stale pid file is never hit) -> remove the cgroups -> remove the directory (quota
    /// disk, initrd, sockets). The cached base disk belongs to the image and stays.
    /// </summary>
    public async Task DestroyAsync(string sandboxId, CancellationToken cancellationToken = default)
    {
        var layout = MicroVmLayout.For(_paths, sandboxId);
        var errors = new List<Exception>();
        for (var attempt = 0; VmmCgroup.Members(layout) is { Count: > 0 } members; attempt++)
        {
            foreach (var pid in members)
            {
                _ = NativeProcess.Kill(pid, SigKill);
            }

            if (attempt >= 250)
            {
                errors.Add(new IOException($"processes {string.Join(", ", members)} of sandbox {sandboxId} survived SIGKILL"));
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }

        if (errors.Count == 0)
        {
            try
            {
                await VmmCgroup.RemoveAsync(layout, cancellationToken);
            }
            catch (IOException e)
            {
                errors.Add(e);
            }
        }

        if (errors.Count == 0 && Directory.Exists(layout.Directory))
        {
            try
            {
                Directory.Delete(layout.Directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(e);
            }
        }

        if (errors.Count > 0)
        {
            throw new AggregateException($"sandbox {sandboxId} was not fully destroyed", errors);
        }
    }
}
