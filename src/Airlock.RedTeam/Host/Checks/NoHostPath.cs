using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Host.Checks;

/// <summary>A host path the attack aims to create does not exist afterwards (removed if it does).</summary>
internal sealed class NoHostPath(Func<CaseContext, string> path) : IHostCheck
{
    public Task BeforeAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<(IReadOnlyList<string> Findings, string Evidence)> AfterAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken)
    {
        var target = path(context);
        if (!File.Exists(target) && !Directory.Exists(target)) return Task.FromResult<(IReadOnlyList<string>, string)>(([], $"host {target} absent"));
        try
        {
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            else File.Delete(target);
        }
        catch (IOException)
        {
        }

        return Task.FromResult<(IReadOnlyList<string>, string)>(([$"host {target} was created (removed)"], ""));
    }
}
