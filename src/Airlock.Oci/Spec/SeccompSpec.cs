namespace Airlock.Oci.Spec;

public sealed record SeccompSpec
{
    public required string DefaultAction { get; init; }

    public uint? DefaultErrnoRet { get; init; }

    public IReadOnlyList<string> Architectures { get; init; } = [];

    public IReadOnlyList<SeccompSyscallSpec> Syscalls { get; init; } = [];
}

public sealed record SeccompSyscallSpec
{
    public required IReadOnlyList<string> Names { get; init; }

    public required string Action { get; init; }

    public uint? ErrnoRet { get; init; }

    public IReadOnlyList<SeccompArgSpec>? Args { get; init; }
}

/// <summary>One argument comparison. Comparisons on different arguments AND together; runc turns two on the same index into separate (OR-ed) rules, so never put two on one index.</summary>
public sealed record SeccompArgSpec(uint Index, ulong Value, string Op, ulong ValueTwo = 0);
