using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Host.Checks;

/// <summary>
/// A host file (a /proc/sys knob, a cgroup release_agent) reads the same after the attack. When it does not, the
/// old value is written back at once, so an escape found here does not stay on the machine.
/// </summary>
internal sealed class HostFileUnchanged(string path) : IHostCheck
{
    private string? _before;

    public Task BeforeAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken)
    {
        _before = HostFiles.ReadText(path);
        return Task.CompletedTask;
    }

    public Task<(IReadOnlyList<string> Findings, string Evidence)> AfterAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken)
    {
        var after = HostFiles.ReadText(path);
        if (after == _before) return Task.FromResult<(IReadOnlyList<string>, string)>(([], $"host {path} unchanged ('{Short(after)}')"));
        if (_before is not null)
        {
            try
            {
                File.WriteAllText(path, _before);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return Task.FromResult<(IReadOnlyList<string>, string)>(([$"host {path} changed from '{Short(_before)}' to '{Short(after)}' (restored)"], ""));
    }

    private static string Short(string? text) => text is null ? "absent" : text.Trim().Length > 60 ? text.Trim()[..60] + "..." : text.Trim();
}
