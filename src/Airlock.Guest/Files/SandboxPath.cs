namespace Airlock.Guest.Files;

/// <summary>
/// The lexical rules every path from the host passes before it reaches the kernel: absolute, no "..",
/// no NUL. The kernel (openat2 RESOLVE_BENEATH) then enforces that symlinks cannot leave the root;
/// the lexical check keeps the error messages clear and refuses obviously hostile input early.
/// </summary>
internal static class SandboxPath
{
    /// <summary>The path's components without empty and "." parts; an empty array is the root.</summary>
    public static string[] Split(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw AirlockException.Invalid("a path is required");
        }

        if (path.Contains('\0'))
        {
            throw AirlockException.Invalid("path must not contain a NUL byte");
        }

        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (path[0] != '/' || Array.IndexOf(parts, "..") >= 0)
        {
            throw AirlockException.Invalid($"path '{path}' must be absolute and must not contain '..'");
        }

        return Array.FindAll(parts, p => p != ".");
    }

    /// <summary>The canonical display form: "/a/b", or "/" for the root.</summary>
    public static string Join(IEnumerable<string> parts) => "/" + string.Join('/', parts);

    /// <summary>The relative form handed to openat2: "a/b", or "." for the root.</summary>
    public static string Relative(ReadOnlySpan<string> parts) => parts.Length == 0 ? "." : string.Join('/', parts.ToArray());
}
