using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Host.Checks;

/// <summary>
/// The host kernel's key count of the sandbox's host uids (/proc/key-users, global) does not grow: a key added
/// from inside the container tier would be a host kernel key charged to the sandbox's mapped uid.
/// </summary>
internal sealed class KeyUsersUnchanged : IHostCheck
{
    private HashSet<int> _uids = [];
    private Dictionary<int, long> _before = [];

    public Task BeforeAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken)
    {
        _uids = [.. ProcessCensus.Take(new SandboxCgroups(sandboxId)).Processes.Select(p => p.RealUid).Where(u => u != 0)];
        _before = Read();
        return Task.CompletedTask;
    }

    public Task<(IReadOnlyList<string> Findings, string Evidence)> AfterAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken)
    {
        var after = Read();
        var findings = after.Where(a => a.Value > _before.GetValueOrDefault(a.Key)).Select(a => $"host uid {a.Key} owns {a.Value} kernel keys (was {_before.GetValueOrDefault(a.Key)})").ToList();
        return Task.FromResult<(IReadOnlyList<string>, string)>((findings, $"/proc/key-users of host uids [{string.Join(",", _uids)}] unchanged"));
    }

    private Dictionary<int, long> Read()
    {
        var counts = new Dictionary<int, long>();
        foreach (var line in HostFiles.ReadText("/proc/key-users")?.Split('\n') ?? [])
        {
            // "  100000:     2 2/2 2/200 43/20000": uid, usage, nkeys/nikeys, ...
            var fields = line.Split([' ', ':'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 3 && int.TryParse(fields[0], out var uid) && _uids.Contains(uid) && long.TryParse(fields[2].Split('/')[0], out var keys)) counts[uid] = keys;
        }

        return counts;
    }
}
