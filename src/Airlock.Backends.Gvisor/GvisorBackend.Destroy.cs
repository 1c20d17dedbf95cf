using Airlock.Backends.Runc;

namespace Airlock.Backends.Gvisor;

public sealed partial class GvisorBackend
{
    /// <summary>
    /// Undoes CreateAsync from any point, from the id alone (<see cref="OciSandboxLifecycle.DestroyAsync"/>):
    /// runsc delete --force kills the sentry, gofer and stubs and removes runsc's cgroups and state. runsc mounts
    /// nothing on the host (its mounts live in the gofer's and sentry's own mount namespaces).
    /// </summary>
    public Task DestroyAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        OciSandboxLifecycle.DestroyAsync(_runtime, SandboxLayout.For(_paths, sandboxId), cancellationToken);
}
