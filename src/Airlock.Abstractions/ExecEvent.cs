namespace Airlock;

public enum OutputStream
{
    Stdout = 1,
    Stderr = 2,
}

/// <summary>One item of an exec's stream: output chunks as they are produced, then exactly one <see cref="ExecExited"/>.</summary>
public abstract record ExecEvent;

public sealed record ExecOutput(OutputStream Stream, ReadOnlyMemory<byte> Data) : ExecEvent;

public sealed record ExecExited(ExecResult Result) : ExecEvent;
