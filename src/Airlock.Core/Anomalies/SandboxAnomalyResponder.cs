using Airlock.Policy;

namespace Airlock.Core.Anomalies;

/// <summary>Pauses (freezes) or destroys the sandbox, or revokes the tokens bound to it; <c>alert</c> does nothing more than the audit record.</summary>
public sealed class SandboxAnomalyResponder(ISandboxOperations sandboxes, Func<string, CancellationToken, Task>? revokeTokens = null) : IAnomalyResponder
{
    public async Task RespondAsync(string sandboxId, AnomalyAction action, CancellationToken cancellationToken = default)
    {
        switch (action)
        {
            case AnomalyAction.Pause:
                var info = await sandboxes.GetAsync(sandboxId, cancellationToken);
                if (info.State == SandboxState.Running) await sandboxes.PauseAsync(sandboxId, cancellationToken);
                break;
            case AnomalyAction.Kill:
                await sandboxes.DeleteAsync(sandboxId, cancellationToken);
                break;
            case AnomalyAction.Revoke when revokeTokens is not null:
                await revokeTokens(sandboxId, cancellationToken);
                break;
        }
    }
}
