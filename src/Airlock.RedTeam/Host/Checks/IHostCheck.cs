using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Host.Checks;

/// <summary>A piece of host state read before an attack and compared after it.</summary>
internal interface IHostCheck
{
    Task BeforeAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken);

    /// <summary>Findings (empty when the host is as before) and the evidence in words either way.</summary>
    Task<(IReadOnlyList<string> Findings, string Evidence)> AfterAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken);
}
