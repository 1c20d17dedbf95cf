namespace Airlock.Guest.Protocol;

/// <summary>The first byte of every frame.</summary>
public enum FrameType : byte
{
    /// <summary>A control message: UTF-8 JSON.</summary>
    Json = 1,

    /// <summary>Bytes a command wrote to its standard output.</summary>
    Stdout = 2,

    /// <summary>Bytes a command wrote to its standard error.</summary>
    Stderr = 3,

    /// <summary>Bytes for a command's standard input (host to agent).</summary>
    Stdin = 4,

    /// <summary>End of standard input (host to agent); empty payload.</summary>
    StdinClose = 5,

    /// <summary>A chunk of a file or tar stream.</summary>
    Data = 6,

    /// <summary>End of a Data (or process output) sequence; empty payload.</summary>
    End = 7,

    /// <summary>A failure that ends the operation: JSON <see cref="GuestError"/>.</summary>
    Error = 8,
}
