namespace Airlock.Access;

/// <summary>The caller of the current async flow; <see cref="Caller.Local"/> when nobody set one (embedded CLI).</summary>
public static class CallerContext
{
    private static readonly AsyncLocal<Caller?> CurrentCaller = new();

    public static Caller Current => CurrentCaller.Value ?? Caller.Local;

    /// <summary>Sets the caller for the rest of this async flow (an HTTP request's pipeline).</summary>
    public static void Set(Caller caller) => CurrentCaller.Value = caller;
}
