using System.Text;
using Airlock.Policy;

namespace Airlock.Core.Policy;

/// <summary>
/// Reads a policy from YAML or JSON (one schema: JSON is read as the YAML it also is). Every problem is
/// reported at once, a line each, as <c>file:line:column: field.path: what is wrong</c>.
/// </summary>
public static class PolicyLoader
{
    /// <summary>A policy is a page of text; the cap keeps a hostile upload from costing the daemon memory and time.</summary>
    public const int MaxInputBytes = 1 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses policy text. <paramref name="fileName"/>, when given, starts each error line.</summary>
    /// <exception cref="AirlockException">InvalidArgument with every error; TooLarge past <see cref="MaxInputBytes"/>.</exception>
    public static SandboxPolicy Load(string text, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxInputBytes || Encoding.UTF8.GetByteCount(text) > MaxInputBytes) throw TooLarge(fileName);
        var errors = new PolicyErrors(fileName);
        var root = PolicyTreeReader.Read(text.TrimStart('\uFEFF'), errors);
        var policy = new PolicyBinder(errors).Bind(root);
        errors.ThrowIfAny();
        return policy;
    }

    /// <summary>Reads and parses a policy file; errors name the file as <paramref name="path"/> was given.</summary>
    /// <exception cref="AirlockException">NotFound when the file does not exist; InvalidArgument when it cannot be read or is not a valid policy; TooLarge past <see cref="MaxInputBytes"/>.</exception>
    public static SandboxPolicy LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0) throw AirlockException.Invalid("policy file path is empty");
        if (Directory.Exists(path)) throw AirlockException.Invalid($"policy file '{path}' is a directory");
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            bytes = ReadAtMost(stream, MaxInputBytes + 1);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw AirlockException.NotFound($"policy file '{path}' does not exist");
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new AirlockException(AirlockErrorKind.InvalidArgument, $"policy file '{path}' cannot be read: {ex.Message}", ex);
        }

        if (bytes.Length > MaxInputBytes) throw TooLarge(path);
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new AirlockException(AirlockErrorKind.InvalidArgument, $"{path}: not UTF-8 text (bad byte at offset {ex.Index})", ex);
        }

        return Load(text, path);
    }

    /// <summary>Reads up to <paramref name="limit"/> bytes, never more: the length a file reports can lie (/dev/zero, a FIFO, /proc).</summary>
    private static byte[] ReadAtMost(Stream stream, int limit)
    {
        var buffer = new byte[limit];
        var total = 0;
        int read;
        while (total < limit && (read = stream.Read(buffer, total, limit - total)) > 0) total += read;
        return buffer[..total];
    }

    private static AirlockException TooLarge(string? fileName) =>
        new(AirlockErrorKind.TooLarge, $"{fileName ?? "policy"}: more than {Units.FormatSize(MaxInputBytes)} ({MaxInputBytes} bytes); a policy is a page of text, not a data file");
}
