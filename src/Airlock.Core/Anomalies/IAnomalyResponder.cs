using Airlock.Policy;

namespace Airlock.Core.Anomalies;

/// <summary>Carries out a rule's <c>then</c> on a sandbox.</summary>
public interface IAnomalyResponder
{
    Task RespondAsync(string sandboxId, AnomalyAction action, CancellationToken cancellationToken = default);
}
