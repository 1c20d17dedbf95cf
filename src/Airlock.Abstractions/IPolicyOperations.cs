namespace Airlock;

/// <summary>Named, versioned policies: the data directory's store in-process, the daemon's API through the SDK.</summary>
public interface IPolicyOperations
{
    /// <summary>Validates and stores <paramref name="text"/> as the next version of <paramref name="name"/>.</summary>
    Task<PolicyInfo> PutAsync(string name, string text, CancellationToken cancellationToken = default);

    /// <summary><c>NAME</c> (latest version) or <c>NAME@VERSION</c>.</summary>
    Task<PolicyInfo> GetAsync(string reference, CancellationToken cancellationToken = default);

    /// <summary>The latest version of every named policy.</summary>
    Task<IReadOnlyList<PolicyInfo>> ListAsync(bool includeInline = false, CancellationToken cancellationToken = default);
}
