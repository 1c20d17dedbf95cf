using Airlock.Backends.Runc;
using Airlock.Oci;

namespace Airlock.Backends.Gvisor;

public sealed partial class GvisorBackend
{
    /// <summary>
    /// Undoes CreateAsync from any point, derived from the id alone: runsc delete --force (kills the
    /// sentry, gofer and stubs, removes runsc's cgroups and state) -> kill leftovers in the cgroups and
    /// remove them (a crash between runsc's fork and its state file) -> runsc delete again if runsc still
    /// knows the container -> unmount rootfs and disk -> detach the loop device -> remove the directory.
    /// runsc mounts nothing on the host: its mounts live in the gofer's and sentry's own mount namespaces.
    /// </summary>
    public async Task DestroyAsync(string sandboxId, CancellationToken cancellationToken = default)
    {
        var layout = SandboxLayout.For(_paths, sandboxId);
        var errors = new List<Exception>();

        var state = await _runtime.StateAsync(layout.ContainerId, cancellationToken);
        if (state is not null && !string.IsNullOrEmpty(state.Bundle) && Path.GetFullPath(state.Bundle) != layout.Bundle)
        {
            throw new InvalidOperationException($"runsc container {layout.ContainerId} belongs to bundle {state.Bundle}, not to this data directory; leaving it alone");
        }

        if (state is not null)
        {
            await Attempt(errors, () => _runtime.DeleteAsync(layout.ContainerId, cancellationToken));
        }

        await Attempt(errors, () => SandboxCgroups.RemoveAsync(layout, cancellationToken));
        if (state is not null && errors.Count > 0 && await _runtime.StateAsync(layout.ContainerId, cancellationToken) is not null)
        {
            // With every process gone, a delete that failed on a half-started sandbox now succeeds.
            errors.Clear();
            await Attempt(errors, () => _runtime.DeleteAsync(layout.ContainerId, cancellationToken));
        }

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
