namespace Airlock;

/// <summary>One stored version of a named policy. Versions are never changed; storing new text adds a version.</summary>
public sealed record PolicyInfo
{
    public required string Name { get; init; }

    /// <summary>1, 2, 3... per name.</summary>
    public required int Version { get; init; }

    /// <summary>Hex SHA-256 of <see cref="Text"/>.</summary>
    public required string Sha256 { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The policy document as it was stored (YAML or JSON).</summary>
    public required string Text { get; init; }

    /// <summary><c>name@version</c>, as a sandbox records the policy it was created with.</summary>
    public string Reference => $"{Name}@{Version}";
}
