using Airlock.Backends.Runc;

namespace Airlock.Backends.Gvisor;

public sealed partial class GvisorBackend
{
    /// <summary>runsc's files for a container in its root: <c>{sandbox}_sandbox:{container}.state</c> and <c>.lock</c>.</summary>
    private const string StateFileInfix = "_sandbox:";

    /// <summary>
    /// Undoes CreateAsync from any point, from the id alone (<see cref="OciSandboxLifecycle.DestroyAsync"/>):
    /// runsc delete --force kills the sentry, gofer and stubs and removes runsc's cgroups and state. runsc mounts
    /// nothing on the host (its mounts live in the gofer's and sentry's own mount namespaces). Last, runsc's own
    /// files for the container: a daemon killed while `runsc delete` ran can leave the lock file of a container runsc
    /// no longer lists (the kill -9 harness found one), which nothing else would ever remove.
    /// </summary>
    public async Task DestroyAsync(string sandboxId, CancellationToken cancellationToken = default)
    {
        var layout = SandboxLayout.For(_paths, sandboxId);
        await OciSandboxLifecycle.DestroyAsync(_runtime, layout, cancellationToken);
        foreach (var file in RunscFilesOf(layout.ContainerId)) File.Delete(file);
    }

    private IEnumerable<string> RunscFilesOf(string containerId) =>
        Directory.Exists(RunscRoot) ? Directory.EnumerateFiles(RunscRoot, containerId + StateFileInfix + "*") : [];

    /// <summary>Sandbox ids named by runsc files left in its root (see <see cref="DestroyAsync"/>), whether or not runsc lists them.</summary>
    private IEnumerable<string> IdsInRunscFiles() =>
        Directory.Exists(RunscRoot)
            ? Directory.EnumerateFiles(RunscRoot, SandboxLayout.ContainerPrefix + "*" + StateFileInfix + "*")
                .Select(file => Path.GetFileName(file))
                .Select(name => name[SandboxLayout.ContainerPrefix.Length..name.IndexOf(StateFileInfix, StringComparison.Ordinal)])
            : [];
}
