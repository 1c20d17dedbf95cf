namespace Airlock.Policy;

/// <summary>Where the host reads a secret's value: <c>env:VAR</c> or <c>file:/abs/path</c>.</summary>
public sealed record SecretSource
{
    public required SecretSourceKind Kind { get; init; }

    /// <summary>The variable name, or the absolute path.</summary>
    public required string Reference { get; init; }

    public override string ToString() => $"{(Kind == SecretSourceKind.Env ? "env" : "file")}:{Reference}";
}
