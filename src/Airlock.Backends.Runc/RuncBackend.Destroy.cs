namespace Airlock.Backends.Runc;

public sealed partial class RuncBackend
{
    /// <summary>Undoes CreateAsync from any point, from the id alone (<see cref="OciSandboxLifecycle.DestroyAsync"/>).</summary>
    public Task DestroyAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        OciSandboxLifecycle.DestroyAsync(_runtime, SandboxLayout.For(_paths, sandboxId), cancellationToken);
}
