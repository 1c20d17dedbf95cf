namespace Airlock;

/// <summary>The kinds of failure a caller can act on. Each maps to one HTTP status and one CLI exit code.</summary>
public enum AirlockErrorKind
{
    /// <summary>Bad input: malformed value, path leaving the sandbox, unknown image. HTTP 400, exit 2.</summary>
    InvalidArgument,

    /// <summary>No such sandbox, file or process. HTTP 404, exit 2.</summary>
    NotFound,

    /// <summary>The sandbox is in the wrong state for this (paused, stopped). HTTP 409, exit 2.</summary>
    Conflict,

    /// <summary>Request body too large. HTTP 413, exit 2.</summary>
    TooLarge,

    /// <summary>Missing or bad token. HTTP 401, exit 2.</summary>
    Unauthorized,

    /// <summary>Known caller, not allowed: a scope it lacks, a policy rule, a person's denial. HTTP 403, exit 2.</summary>
    Forbidden,

    /// <summary>The host cannot do this now (runtime missing, disk full). HTTP 503, exit 1.</summary>
    Unavailable,

    /// <summary>A bug or an unexpected host failure. HTTP 500, exit 1.</summary>
    Internal,
}

/// <summary>A failure with a message a person can act on.</summary>
public sealed class AirlockException : Exception
{
    public AirlockException(AirlockErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    public AirlockErrorKind Kind { get; }

    /// <summary>True for mistakes of the caller (4xx), false for failures of the host (5xx).</summary>
    public bool IsClientError => Kind is not (AirlockErrorKind.Unavailable or AirlockErrorKind.Internal);

    public static AirlockException Invalid(string message) => new(AirlockErrorKind.InvalidArgument, message);

    public static AirlockException NotFound(string message) => new(AirlockErrorKind.NotFound, message);

    public static AirlockException Conflict(string message) => new(AirlockErrorKind.Conflict, message);

    public static AirlockException Forbidden(string message) => new(AirlockErrorKind.Forbidden, message);

    public static AirlockException Unavailable(string message, Exception? inner = null) => new(AirlockErrorKind.Unavailable, message, inner);
}
