namespace Airlock;

/// <summary>One cell of code for a sandbox's interpreter.</summary>
public sealed record CodeRequest
{
    public required string Code { get; init; }

    /// <summary>Only <see cref="CodeLanguages.Python"/> today.</summary>
    public string Language { get; init; } = CodeLanguages.Python;

    /// <summary>Interrupt the cell when it runs longer; the kernel survives. Null: the interpreter's default.</summary>
    public TimeSpan? Timeout { get; init; }
}
