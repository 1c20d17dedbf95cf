using Airlock.Oci;

namespace Airlock.Backends.Runc;

public sealed partial class RuncBackend
{
    /// <summary>
    /// Undoes CreateAsync from any point, derived from the id alone: runc delete --force (kills every
    /// process) -> kill leftovers in the cgroup and remove it -> unmount rootfs and disk -> detach the loop
    /// device -> remove the directory. Parts already gone are skipped; parts that cannot be removed throw.
    /// </summary>
    public async Task DestroyAsync(string sandboxId, CancellationToken cancellationToken = default)
    {
        var layout = SandboxLayout.For(_paths, sandboxId);
        var errors = new List<Exception>();

        var state = await _runtime.StateAsync(layout.ContainerId, cancellationToken);
        if (state is not null && !IsOurs(state, layout))
        {
            // Same id under another data directory: its container and cgroup are not ours to touch.
            throw new InvalidOperationException($"container {layout.ContainerId} belongs to bundle {state.Bundle}, not to this data directory; leaving it alone");
        }

        if (state is not null)
        {
            await Attempt(errors, () => _runtime.DeleteAsync(layout.ContainerId, cancellationToken));
        }

        await Attempt(errors, () => SandboxCgroups.RemoveAsync(layout, cancellationToken));
        await Attempt(errors, () => HostMounts.UnmountAllUnderAsync(layout.Directory, cancellationToken));
        await Attempt(errors, () => SandboxDisk.DetachLoopDevicesAsync(layout, cancellationToken));

        if (errors.Count == 0 && Directory.Exists(layout.Directory))
        {
            // Never recurse into a live mount: that would delete through it.
            if (HostMounts.MountsUnder(layout.Directory) is { Count: > 0 } mounts)
            {
                errors.Add(new IOException($"still mounted: {string.Join(", ", mounts)}"));
            }
            else
            {
                await Attempt(errors, () =>
                {
                    Directory.Delete(layout.Directory, recursive: true);
                    return Task.CompletedTask;
                });
            }
        }

        if (errors.Count > 0)
        {
            throw new AggregateException($"sandbox {sandboxId} was not fully destroyed", errors);
        }
    }

    private bool IsOurs(ContainerState state, SandboxLayout layout) =>
        string.IsNullOrEmpty(state.Bundle) || Path.GetFullPath(state.Bundle) == layout.Bundle;

    private static async Task Attempt(List<Exception> errors, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            errors.Add(e);
        }
    }
}
