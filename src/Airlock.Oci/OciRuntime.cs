using System.Text.Json;

namespace Airlock.Oci;

/// <summary>
/// A thin wrapper over an OCI runtime binary with runc's command line (runc, crun, runsc). One method
/// per verb. Lifecycle: RunDetached (create + start) -> State / Pause / Resume -> Kill -> Delete.
/// <paramref name="containerLauncher"/>, when given, names for a container id the command every later verb on that
/// container runs through (e.g. <c>nsenter --net=PATH</c>: runsc reaches a sandbox over an abstract unix socket, which
/// exists only in the sandbox's network namespace); an empty list runs the runtime directly.
/// </summary>
public sealed class OciRuntime(
    string binary = "runc",
    string? root = null,
    IReadOnlyList<string>? extraGlobalArgs = null,
    Func<string, IReadOnlyList<string>>? containerLauncher = null)
{
    public string Binary { get; } = binary;

    public async Task<string> VersionAsync(CancellationToken cancellationToken = default) =>
        (await HostCommand.CheckAsync(Binary, ["--version"], TimeSpan.FromSeconds(10), cancellationToken)).Stdout.Split('\n')[0].Trim();

    /// <summary>
    /// The launcher (see <see cref="StartHeldRun"/>) for a runtime that needs nothing prepared but a session of its own
    /// (setsid) and /dev/null for stdin, stdout and stderr. A detached container inherits the runtime's stdio: a pipe would
    /// let the sandbox block or flood us, a file would let it fill the host disk; its errors are read back from the log
    /// file. The session: runsc's sandbox and gofer processes, and runc's container, would otherwise stay in the caller's
    /// process group, and a Ctrl-C at the daemon's terminal, or a SIGTERM to its group, would end them. --wait: were
    /// setsid's process a group leader it would fork, and the runtime's exit status must still be ours.
    /// </summary>
    public static readonly IReadOnlyList<string> SessionLauncher =
        ["setsid", "--wait", "/bin/sh", "-c", "read -r go || exit 1; exec \"$@\" </dev/null >/dev/null 2>/dev/null", "oci-runtime"];

    /// <summary>Creates and starts a detached container, through <see cref="SessionLauncher"/>.</summary>
    public async Task RunDetachedAsync(string id, string bundle, string pidFile, string logFile, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await using var held = StartHeldRun(id, bundle, pidFile, logFile, SessionLauncher, cancellationToken);
        await held.RunAsync(timeout, cancellationToken);
    }

    /// <summary>
    /// Starts <paramref name="launcher"/> now and lets it exec the runtime's <c>run --detach</c> only at
    /// <see cref="HeldRun.RunAsync"/>: the launcher prepares what the runtime is born into (cgroups, namespaces) while
    /// the caller still writes the bundle. The launcher's contract: it starts a session of its own, waits for one byte on
    /// its standard input before anything else, ends without running anything when that input ends first, and puts
    /// /dev/null on the standard streams before it execs the rest (what it writes to stderr before that is a failure's
    /// reason). Disposing a run that was never released ends the launcher that way.
    /// </summary>
    public HeldRun StartHeldRun(string id, string bundle, string pidFile, string logFile, IReadOnlyList<string> launcher, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(launcher.Count);
        var command = HostCommand.Start(launcher[0], [.. launcher.Skip(1), .. RunDetachedCommand(id, bundle, pidFile, logFile)], cancellationToken);
        return new HeldRun(command, result => ThrowIfRunFailed(id, logFile, result));
    }

    /// <summary>A runtime's <c>run --detach</c> whose launcher is already preparing it; see <see cref="StartHeldRun"/>.</summary>
    public sealed class HeldRun : IAsyncDisposable
    {
        private readonly StartedCommand _launcher;
        private readonly Action<CommandResult> _check;

        internal HeldRun(StartedCommand launcher, Action<CommandResult> check)
        {
            _launcher = launcher;
            _check = check;
        }

        /// <summary>Tells the launcher to go on and waits until the container runs; throws with the launcher's or the runtime's reason.</summary>
        public async Task RunAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
            _check(await _launcher.FinishAsync("go\n", timeout, cancellationToken));

        public ValueTask DisposeAsync() => _launcher.DisposeAsync();
    }

    private List<string> RunDetachedCommand(string id, string bundle, string pidFile, string logFile) =>
        [Binary, .. GlobalArgs(logFile), "run", "--detach", "--pid-file", pidFile, "--bundle", bundle, id];

    private void ThrowIfRunFailed(string id, string logFile, CommandResult result)
    {
        if (!result.Succeeded)
        {
            var launcherSaid = result.Stderr.Trim();
            throw new HostCommandException($"{Path.GetFileName(Binary)} run {id} failed (exit {result.ExitCode}): {(launcherSaid.Length > 0 ? launcherSaid + " " : "")}{ReadLogErrors(logFile)}");
        }
    }

    /// <summary>The container's state, or null when the runtime does not know it.</summary>
    public async Task<ContainerState?> StateAsync(string id, CancellationToken cancellationToken = default)
    {
        var result = await RunOnAsync(id, ["state", id], cancellationToken);
        if (result.Succeeded)
        {
            return JsonSerializer.Deserialize(result.Stdout, OciJsonContext.Default.ContainerState);
        }

        return IsNotFound(result) ? null : throw new HostCommandException($"{Path.GetFileName(Binary)} state {id} failed: {result.Message}");
    }

    /// <summary>
    /// Every container under the runtime's root. runc lists by reading each container's state directory, and fails
    /// outright when one vanishes between its readdir and its stat (another process deleting a container
    /// meanwhile): that is retried, since the next listing simply no longer has it.
    /// </summary>
    public async Task<IReadOnlyList<ContainerState>> ListAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var result = await HostCommand.RunAsync(Binary, [.. GlobalArgs(null), "list", "--format", "json"], TimeSpan.FromSeconds(30), cancellationToken);
            if (result.Succeeded) return JsonSerializer.Deserialize(result.Stdout, OciJsonContext.Default.ListContainerState) ?? [];
            if (attempt >= 5 || !result.Message.Contains("no such file or directory", StringComparison.Ordinal))
            {
                throw new HostCommandException($"{Path.GetFileName(Binary)} list --format json failed: {result.Message}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), cancellationToken);
        }
    }

    /// <summary>Signals every process of the container. Returns false when the container is gone or already stopped.</summary>
    public async Task<bool> KillAllAsync(string id, string signal = "KILL", CancellationToken cancellationToken = default)
    {
        var result = await RunOnAsync(id, ["kill", "--all", id, signal], cancellationToken);
        return result.Succeeded || (IsNotFound(result) || IsNotRunning(result) ? false
            : throw new HostCommandException($"{Path.GetFileName(Binary)} kill {id} failed: {result.Message}"));
    }

    /// <summary>Force-deletes the container (kills what is left). Returns false when it did not exist.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        var result = await RunOnAsync(id, ["delete", "--force", id], cancellationToken);
        return result.Succeeded || (IsNotFound(result) ? false
            : throw new HostCommandException($"{Path.GetFileName(Binary)} delete {id} failed: {result.Message}"));
    }

    public Task PauseAsync(string id, CancellationToken cancellationToken = default) => CheckOnAsync(id, "pause", cancellationToken);

    public Task ResumeAsync(string id, CancellationToken cancellationToken = default) => CheckOnAsync(id, "resume", cancellationToken);

    /// <summary>One verb on one container, through its launcher when it has one.</summary>
    private Task<CommandResult> RunOnAsync(string id, IReadOnlyList<string> verb, CancellationToken cancellationToken)
    {
        var launcher = containerLauncher?.Invoke(id) ?? [];
        IReadOnlyList<string> command = [.. launcher, Binary, .. GlobalArgs(null), .. verb];
        return HostCommand.RunAsync(command[0], [.. command.Skip(1)], TimeSpan.FromSeconds(30), cancellationToken);
    }

    private async Task CheckOnAsync(string id, string verb, CancellationToken cancellationToken)
    {
        var result = await RunOnAsync(id, [verb, id], cancellationToken);
        if (!result.Succeeded)
        {
            throw new HostCommandException($"{Path.GetFileName(Binary)} {verb} {id} failed: {result.Message}");
        }
    }

    private IEnumerable<string> GlobalArgs(string? logFile)
    {
        if (root is not null)
        {
            yield return "--root";
            yield return root;
        }

        if (logFile is not null)
        {
            yield return "--log";
            yield return logFile;
            yield return "--log-format";
            yield return "json";
        }

        foreach (var arg in extraGlobalArgs ?? [])
        {
            yield return arg;
        }
    }

    /// <summary>
    /// Gone, or never fully there: runsc killed (kill -9 of the daemon) between creating a container's directory and
    /// writing its state file answers "loading container: open ....state: no such file or directory"; a restart
    /// must treat that as a container to clean up, not fail on it.
    /// </summary>
    private static bool IsNotFound(CommandResult result) =>
        result.Stderr.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
        || result.Stderr.Contains("not found", StringComparison.OrdinalIgnoreCase)
        || (result.Stderr.Contains("loading container", StringComparison.OrdinalIgnoreCase)
            && result.Stderr.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase));

    private static bool IsNotRunning(CommandResult result) =>
        result.Stderr.Contains("not running", StringComparison.OrdinalIgnoreCase)
        || result.Stderr.Contains("process already finished", StringComparison.OrdinalIgnoreCase)
        || result.Stderr.Contains("no such process", StringComparison.OrdinalIgnoreCase);

    /// <summary>The error and warning messages of a runtime's JSON log, in order.</summary>
    public static string ReadLogErrors(string logFile)
    {
        if (!File.Exists(logFile))
        {
            return "(no runtime log)";
        }

        var messages = new List<string>();
        foreach (var line in File.ReadLines(logFile))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                var level = doc.RootElement.TryGetProperty("level", out var l) ? l.GetString() : null;
                if (level is "error" or "fatal" or "warning" && doc.RootElement.TryGetProperty("msg", out var msg))
                {
                    messages.Add(msg.GetString() ?? "");
                }
            }
            catch (JsonException)
            {
                messages.Add(line);
            }
        }

        return messages.Count > 0 ? string.Join("; ", messages.TakeLast(5)) : "(runtime logged no error)";
    }
}
