namespace Airlock.Guest.Protocol;

/// <summary>The first frame of every operation. One flat shape for every op keeps the JSON contract simple; each op reads the fields it needs.</summary>
public sealed record GuestRequest
{
    /// <summary>One of <see cref="GuestOps"/>.</summary>
    public required string Op { get; init; }

    /// <summary>An absolute path inside the sandbox (file and tar ops).</summary>
    public string? Path { get; init; }

    public IReadOnlyList<string>? Argv { get; init; }

    public IReadOnlyDictionary<string, string>? Env { get; init; }

    public string? Cwd { get; init; }

    public long? TimeoutMs { get; init; }

    /// <summary>The host will send Stdin frames and a StdinClose; otherwise stdin is empty.</summary>
    public bool HasStdin { get; init; }

    public int? Pid { get; init; }

    public int? Signal { get; init; }

    /// <summary>Permission bits for file.write (e.g. 0644 = 420).</summary>
    public int? Mode { get; init; }

    public bool Parents { get; init; }

    public bool Recursive { get; init; }

    /// <summary>Terminal width for pty.open.</summary>
    public int? Cols { get; init; }

    /// <summary>Terminal height for pty.open.</summary>
    public int? Rows { get; init; }

    /// <summary>The TCP port on the sandbox's loopback for port.connect.</summary>
    public int? Port { get; init; }
}
