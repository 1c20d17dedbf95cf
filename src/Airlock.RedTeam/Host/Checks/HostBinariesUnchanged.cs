using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Host.Checks;

/// <summary>
/// The runtime binaries that run sandboxes (runc, runsc, QEMU, the guest agent the sandbox sees at /.airlock/agent)
/// hash the same after the attack: the CVE-2019-5736 class rewrites the host runtime through /proc/self/exe.
/// </summary>
internal sealed class HostBinariesUnchanged : IHostCheck
{
    private readonly Dictionary<string, string?> _before = [];

    public static IEnumerable<string> Binaries()
    {
        foreach (var name in new[] { "runc", "runsc", "qemu-system-x86_64" })
        {
            foreach (var dir in new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin", "/usr/local/sbin" })
            {
                var path = Path.Combine(dir, name);
                if (File.Exists(path))
                {
                    yield return path;
                    break;
                }
            }
        }

        if (Environment.GetEnvironmentVariable("AIRLOCK_AGENT") is { Length: > 0 } agent && File.Exists(agent)) yield return agent;
    }

    public Task BeforeAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken)
    {
        foreach (var path in Binaries()) _before[path] = HostFiles.Sha256(path);
        return Task.CompletedTask;
    }

    public Task<(IReadOnlyList<string> Findings, string Evidence)> AfterAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken)
    {
        var findings = _before.Where(b => HostFiles.Sha256(b.Key) != b.Value).Select(b => $"host binary {b.Key} changed").ToList();
        var evidence = $"sha256 unchanged: {string.Join(", ", _before.Select(b => $"{Path.GetFileName(b.Key)} {b.Value?[..12]}"))}";
        return Task.FromResult<(IReadOnlyList<string>, string)>((findings, evidence));
    }
}
