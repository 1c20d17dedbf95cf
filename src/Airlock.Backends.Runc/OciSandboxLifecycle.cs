using System.Net.Sockets;
using Airlock.Core;
using Airlock.Core.Backends;
using Airlock.Oci;
using Airlock.Oci.PathRules;
using Airlock.Policy;

namespace Airlock.Backends.Runc;

/// <summary>
/// The create and destroy skeleton every OCI-runtime tier (runc, runsc) shares: the same sandbox directory,
/// quota disk, overlay root and agent socket, differing only in the runtime binary and the spec it gets.
/// </summary>
internal static class OciSandboxLifecycle
{
    public const UnixFileMode Mode0711 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// Checks the request, claims an empty sandbox directory, runs the tier's <paramref name="steps"/>, and on any
    /// failure runs <paramref name="destroy"/> before the error surfaces (both errors if that fails too).
    /// </summary>
    public static async Task CreateAsync(AirlockPaths paths, SandboxLayout layout, BackendCreateRequest request, Func<Task> steps, Func<Task> destroy)
    {
        layout.ValidateForCreate(request.ImageRootfs);
        if (!Directory.Exists(request.ImageRootfs))
        {
            throw new ArgumentException($"image rootfs not found: {request.ImageRootfs}", nameof(request));
        }

        if (!File.Exists(request.AgentPath))
        {
            throw new ArgumentException($"agent binary not found: {request.AgentPath}", nameof(request));
        }

        PrepareSandboxesDirectory(paths);
        try
        {
            Directory.CreateDirectory(layout.Directory);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"cannot create sandbox directory {layout.Directory}: {e.Message}", e);
        }

        if (Directory.EnumerateFileSystemEntries(layout.Directory).Any())
        {
            throw new InvalidOperationException($"sandbox {request.Id} already exists on this host ({layout.Directory})");
        }

        try
        {
            await steps();
        }
        catch (Exception createError)
        {
            try
            {
                await destroy();
            }
            catch (Exception destroyError)
            {
                throw new AggregateException($"create of sandbox {request.Id} failed and its cleanup failed too", createError, destroyError);
            }

            throw;
        }
    }

    /// <summary>The sandbox, bundle and rootfs directories, traversable by the mapped root (runc init, runsc's gofer).</summary>
    public static void CreateBundleDirectories(SandboxLayout layout)
    {
        File.SetUnixFileMode(layout.Directory, Mode0711);
        Directory.CreateDirectory(layout.Bundle);
        File.SetUnixFileMode(layout.Bundle, Mode0711);
        Directory.CreateDirectory(layout.Rootfs);
        File.SetUnixFileMode(layout.Rootfs, Mode0711);
    }

    /// <summary>
    /// The policy's <c>files</c> rules resolved in the sandbox's overlay root (missing paths created there), plus the
    /// empty file that hidden files are covered with when there is one: for <see cref="PathRuleMounts.WithPathRules"/>.
    /// </summary>
    public static IReadOnlyList<ResolvedPathRule> ResolvePathRules(SandboxLayout layout, BackendCreateRequest request)
    {
        var rules = PathRuleResolver.Resolve(layout.Rootfs, request.FileRules);
        if (rules.Any(r => r.Access == PathAccess.Hidden && !r.IsDirectory))
        {
            File.WriteAllBytes(layout.EmptyFile, []);
            File.SetUnixFileMode(layout.EmptyFile, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        return rules;
    }

    /// <summary>cgroup v1 without swap accounting (swapaccount=0) has no memsw files and the runtime would fail to set the swap limit.</summary>
    public static bool SwapLimitSupported() =>
        !Directory.Exists("/sys/fs/cgroup/memory") || File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");

    /// <summary>
    /// Polls until the agent accepts on its socket; fails early when <paramref name="initPid"/> (the agent, or
    /// gVisor's sandbox process) is gone, with the runtime's own log errors.
    /// </summary>
    public static async Task WaitForAgentAsync(SandboxLayout layout, int initPid, string runtimeLog, TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        var runtime = Path.GetFileNameWithoutExtension(runtimeLog);
        while (true)
        {
            if (File.Exists(layout.AgentSocket))
            {
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(layout.AgentSocket), cancellationToken);
                    return;
                }
                catch (SocketException)
                {
                    // Bound but not yet listening, or a stale socket of a dead agent: keep polling.
                }
            }

            if (!Directory.Exists($"/proc/{initPid}"))
            {
                throw new InvalidOperationException($"sandbox {layout.Id}: the sandbox exited before its agent listened on {AgentContract.SocketPath}. {runtime}: {OciRuntime.ReadLogErrors(runtimeLog)}");
            }

            if (time.GetElapsedTime(start) > timeout)
            {
                throw new TimeoutException($"sandbox {layout.Id}: the agent did not listen on {AgentContract.SocketPath} within {timeout.TotalSeconds:0.#}s. {runtime}: {OciRuntime.ReadLogErrors(runtimeLog)}");
            }

            // A short fixed interval: the agent is usually listening within a few ms of the runtime returning,
            // and every ms of polling granularity is create latency.
            await Task.Delay(TimeSpan.FromMilliseconds(1), cancellationToken);
        }
    }

    /// <summary>
    /// Undoes a create from any point, derived from the id alone: resume if paused -> runtime delete --force (kills every process)
    /// -> kill leftovers in the cgroups and remove them -> delete again if the runtime still knows the container
    /// (a delete that failed on a half-started sandbox succeeds once its processes are gone) -> unmount rootfs
    /// and disk -> detach the loop device -> remove the directory. Parts already gone are skipped; parts that
    /// cannot be removed throw.
    /// </summary>
    public static async Task DestroyAsync(OciRuntime runtime, SandboxLayout layout, CancellationToken cancellationToken)
    {
        var errors = new List<Exception>();
        var state = await runtime.StateAsync(layout.ContainerId, cancellationToken);
        if (state is not null && !string.IsNullOrEmpty(state.Bundle) && Path.GetFullPath(state.Bundle) != layout.Bundle)
        {
            // Same id under another data directory: its container and cgroup are not ours to touch.
            throw new InvalidOperationException($"container {layout.ContainerId} belongs to bundle {state.Bundle}, not to this data directory; leaving it alone");
        }

        if (state is { Status: "paused" })
        {
            // runsc's `delete --force` of a paused container panics ("invalid state transition: paused => stopped") and
            // leaves it half-removed (the API fuzzer's DELETE 500): thaw it first. A failed resume still goes on to delete.
            await Attempt([], () => runtime.ResumeAsync(layout.ContainerId, cancellationToken));
        }

        if (state is not null)
        {
            await Attempt(errors, () => runtime.DeleteAsync(layout.ContainerId, cancellationToken));
        }

        await Attempt(errors, () => SandboxCgroups.RemoveAsync(layout, cancellationToken));
        if (state is not null && errors.Count > 0 && await runtime.StateAsync(layout.ContainerId, cancellationToken) is not null)
        {
            errors.Clear();
            await Attempt(errors, () => runtime.DeleteAsync(layout.ContainerId, cancellationToken));
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
                await Attempt(errors, () => DeleteDirectoryAsync(layout.Directory));
            }
        }

        if (errors.Count > 0)
        {
            throw new AggregateException($"sandbox {layout.Id} was not fully destroyed", errors);
        }
    }

    /// <summary>
    /// Removes the sandbox's directory. An entry that vanishes while the walk runs (a runtime process still exiting
    /// removes its socket or log) made one recursive delete stop half-way with a not-found error, which left the
    /// directory behind after a delete answered 204; the walk is repeated until the directory is gone.
    /// </summary>
    private static async Task DeleteDirectoryAsync(string directory)
    {
        for (var attempt = 1; Directory.Exists(directory); attempt++)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException e)
            {
                // DirectoryNotFoundException and FileNotFoundException are IOExceptions too: walk again. The last
                // failure is a plain IOException, so the caller reports it instead of taking it for "already gone".
                if (attempt >= 5) throw new IOException($"{directory} could not be removed: {e.Message}", e);
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt));
            }
        }
    }

    /// <summary>Sandboxes, and the data directory above it, must be traversable by the mapped root, or the runtime cannot reach rootfs.</summary>
    private static void PrepareSandboxesDirectory(AirlockPaths paths)
    {
        var sandboxes = Path.GetFullPath(paths.Sandboxes);
        if (!Directory.Exists(sandboxes))
        {
            Directory.CreateDirectory(sandboxes);
            File.SetUnixFileMode(sandboxes, Mode0711);
        }

        for (var dir = sandboxes; !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if ((File.GetUnixFileMode(dir) & UnixFileMode.OtherExecute) == 0)
            {
                throw new InvalidOperationException($"{dir} is not traversable by the sandbox's mapped root user (needs o+x, e.g. chmod 711 {dir})");
            }
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
