using Airlock.Client.Wire;

namespace Airlock.Client;

/// <summary>Approvals and stored policies over the daemon's REST API.</summary>
internal sealed class HttpGovernanceOperations(DaemonConnection daemon) : IApprovalOperations, IPolicyOperations
{
    async Task<IReadOnlyList<ApprovalInfo>> IApprovalOperations.ListAsync(bool pendingOnly, CancellationToken cancellationToken) =>
        (await daemon.SendJsonAsync<ApprovalList>(daemon.Request(HttpMethod.Get, "v1/approvals" + (pendingOnly ? "" : "?state=all")), cancellationToken)).Approvals;

    Task<ApprovalInfo> IApprovalOperations.GetAsync(string id, CancellationToken cancellationToken) =>
        daemon.SendJsonAsync<ApprovalInfo>(daemon.Request(HttpMethod.Get, "v1/approvals/" + DaemonConnection.Escape(id)), cancellationToken);

    public Task<ApprovalInfo> ResolveAsync(string id, bool approve, string? reason, CancellationToken cancellationToken = default) =>
        daemon.SendJsonAsync<ApprovalInfo>(
            daemon.Request(HttpMethod.Post, $"v1/approvals/{DaemonConnection.Escape(id)}/{(approve ? "approve" : "deny")}", DaemonConnection.Json(new ResolveApprovalBody(reason))),
            cancellationToken);

    public Task<PolicyInfo> PutAsync(string name, string text, CancellationToken cancellationToken = default) =>
        daemon.SendJsonAsync<PolicyInfo>(
            daemon.Request(HttpMethod.Put, "v1/policies/" + DaemonConnection.Escape(name), new StringContent(text, System.Text.Encoding.UTF8, "application/yaml")),
            cancellationToken);

    Task<PolicyInfo> IPolicyOperations.GetAsync(string reference, CancellationToken cancellationToken) =>
        daemon.SendJsonAsync<PolicyInfo>(daemon.Request(HttpMethod.Get, "v1/policies/" + DaemonConnection.Escape(reference)), cancellationToken);

    async Task<IReadOnlyList<PolicyInfo>> IPolicyOperations.ListAsync(bool includeInline, CancellationToken cancellationToken) =>
        (await daemon.SendJsonAsync<PolicyList>(daemon.Request(HttpMethod.Get, "v1/policies" + (includeInline ? "?inline=true" : "")), cancellationToken)).Policies;

    public async Task<IReadOnlyList<PlanStepDecision>> VetPlanAsync(string sandboxId, IReadOnlyList<PlanStep> steps, CancellationToken cancellationToken = default) =>
        (await daemon.SendJsonAsync<PlanResult>(
            daemon.Request(HttpMethod.Post, $"v1/sandboxes/{DaemonConnection.Escape(sandboxId)}/plan", DaemonConnection.Json(new PlanBody(steps))),
            cancellationToken)).Steps;
}
