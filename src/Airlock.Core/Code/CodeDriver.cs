using System.Security.Cryptography;

namespace Airlock.Core.Code;

/// <summary>
/// The in-sandbox half of the interpreter (<c>airlock-code.py</c>, embedded in this assembly): a Python script that
/// keeps one ipykernel per sandbox and runs one cell per call. It is written into the sandbox at first use rather
/// than baked into the image, so every image with python3 and ipykernel can run code, and a new Airlock's driver
/// lands beside an old one: the path carries the script's hash, so a sandbox never runs a stale driver.
/// </summary>
internal static class CodeDriver
{
    /// <summary>The program name a policy's tool patterns see (the first word matches by basename): <c>airlock-code run</c>.</summary>
    public const string ProgramName = "airlock-code";

    public static byte[] Script { get; } = Load();

    /// <summary>Where the driver lives inside a sandbox: <c>/tmp/.airlock/code/{hash}/airlock-code</c>.</summary>
    public static string Directory { get; } = $"/tmp/.airlock/code/{Convert.ToHexStringLower(SHA256.HashData(Script))[..12]}";

    public static string Path { get; } = $"{Directory}/{ProgramName}";

    private static byte[] Load()
    {
        using var stream = typeof(CodeDriver).Assembly.GetManifestResourceStream("airlock-code.py")
            ?? throw new InvalidOperationException("airlock-code.py is not embedded in Airlock.Core");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
