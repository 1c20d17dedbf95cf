namespace Airlock.Access;

/// <summary>
/// Who is making the current call: the admin, a scoped token, or the local user of the embedded CLI.
/// Set by the API's authentication (or the CLI) in <see cref="CallerContext"/>; read by the policy and audit layers.
/// </summary>
public sealed record Caller
{
    /// <summary>As audit records show it: <c>admin</c>, <c>token:ID</c>, <c>local:USER</c>, <c>airlock</c>.</summary>
    public required string Actor { get; init; }

    /// <summary>A person-readable name (the token's name, the user's login) for messages like "denied by NAME".</summary>
    public required string Name { get; init; }

    /// <summary>The token id when the caller holds a scoped token.</summary>
    public string? TokenId { get; init; }

    /// <summary>True for the admin token and the local user: every scope, every sandbox.</summary>
    public bool IsAdmin { get; init; }

    /// <summary>What a scoped token may do (<see cref="Scopes"/>); ignored for the admin.</summary>
    public IReadOnlySet<string> Scopes { get; init; } = new HashSet<string>();

    /// <summary>The one sandbox a scoped token is bound to, if bound by id.</summary>
    public string? SandboxId { get; init; }

    /// <summary>Labels a sandbox must all carry for a scoped token bound by selector.</summary>
    public IReadOnlyDictionary<string, string>? LabelSelector { get; init; }

    /// <summary>Whether this caller holds <paramref name="scope"/>.</summary>
    public bool Has(string scope) => IsAdmin || Scopes.Contains(scope);

    /// <summary>Whether this caller may act on a sandbox with this id and these labels.</summary>
    public bool MayTouch(string sandboxId, IReadOnlyDictionary<string, string> labels) =>
        IsAdmin
        || (SandboxId is null || SandboxId == sandboxId)
        && (LabelSelector is null || LabelSelector.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value));

    public static Caller Local { get; } = new() { Actor = $"local:{Environment.UserName}", Name = Environment.UserName, IsAdmin = true };

    public static Caller Admin { get; } = new() { Actor = "admin", Name = "admin", IsAdmin = true };

    /// <summary>Airlock itself (TTL reaper, anomaly responses).</summary>
    public static Caller System { get; } = new() { Actor = "airlock", Name = "airlock", IsAdmin = true };
}
