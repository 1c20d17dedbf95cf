namespace Airlock;

/// <summary>What one cell produced, in the order a notebook would show it.</summary>
public sealed record CodeResult
{
    public string Stdout { get; init; } = "";

    public string Stderr { get; init; } = "";

    /// <summary>The value of the cell's last expression (<c>execute_result</c>) as <c>text/plain</c>, if any.</summary>
    public string? Text { get; init; }

    /// <summary>Rich outputs: <c>execute_result</c> and <c>display_data</c> bundles (e.g. a matplotlib chart as <c>image/png</c>).</summary>
    public IReadOnlyList<CodeOutput> Outputs { get; init; } = [];

    /// <summary>Set when the cell raised (including an interrupt after a timeout).</summary>
    public CodeError? Error { get; init; }

    /// <summary>The kernel's execution counter after this cell.</summary>
    public int ExecutionCount { get; init; }
}

/// <summary>
/// One output bundle: MIME type to data. Text types (<c>text/plain</c>, <c>text/html</c>) are the text itself,
/// <c>application/json</c> is the JSON text, binary types (<c>image/png</c>) are base64 as Jupyter sends them.
/// </summary>
public sealed record CodeOutput
{
    /// <summary><c>execute_result</c> or <c>display_data</c>.</summary>
    public required string Kind { get; init; }

    public required IReadOnlyDictionary<string, string> Data { get; init; }
}

/// <summary>An exception raised by a cell: its type name, message and formatted traceback.</summary>
public sealed record CodeError(string Name, string Value, IReadOnlyList<string> Traceback);
