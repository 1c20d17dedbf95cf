using System.ComponentModel;
using System.Globalization;
using System.Text;
using Airlock.Access;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Airlock.Mcp;

/// <summary>read_file, write_file, list_files: the sandbox's files API, as text a model can read.</summary>
[McpServerToolType]
internal sealed class FileTools(McpBackend backend)
{
    /// <summary>Larger files are refused by read_file (a model's context is not a file transfer); exec or the REST API serve them.</summary>
    public const int ReadCap = 1 << 20;

    [McpServerTool(Name = "read_file", Title = "Read a file in a sandbox", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Reads a file inside a sandbox. UTF-8 text comes back as text; other bytes as base64. Files over 1 MiB are refused: " +
        "read a part with exec_command (e.g. 'head -c 4096 FILE').")]
    public Task<CallToolResult> ReadFile(
        [Description("The sandbox id returned by create_sandbox or run_code.")] string sandbox_id,
        [Description("Absolute path inside the sandbox, e.g. /workspace/result.txt.")] string path,
        CancellationToken cancellationToken = default) =>
        ToolCall.RunAsync(backend, "read_file", sandbox_id, async () =>
        {
            await ToolAccess.RequireAsync("read_file", Scopes.FilesRead, sandbox_id, backend.Sandboxes, cancellationToken);
            var bytes = await ReadAsync(backend.Sandboxes, sandbox_id, path, cancellationToken);
            return ToolCall.Text(TryUtf8(bytes) ?? $"binary file, {bytes.Length} bytes, base64:\n{Convert.ToBase64String(bytes)}");
        }, cancellationToken);

    [McpServerTool(Name = "write_file", Title = "Write a file in a sandbox", Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Creates or replaces a file inside a sandbox (missing parent directories are created). Content is UTF-8 text, " +
        "or base64 when encoding is 'base64'.")]
    public Task<CallToolResult> WriteFile(
        [Description("The sandbox id returned by create_sandbox or run_code.")] string sandbox_id,
        [Description("Absolute path inside the sandbox, e.g. /workspace/data.csv.")] string path,
        [Description("The file's content.")] string content,
        [Description("'utf8' (default) or 'base64' for binary content.")] string? encoding = null,
        CancellationToken cancellationToken = default) =>
        ToolCall.RunAsync(backend, "write_file", sandbox_id, async () =>
        {
            var bytes = Decode(content, encoding);
            await ToolAccess.RequireAsync("write_file", Scopes.FilesWrite, sandbox_id, backend.Sandboxes, cancellationToken);
            if (Path.GetDirectoryName(path) is { Length: > 1 } parent) await backend.Sandboxes.MakeDirectoryAsync(sandbox_id, parent, parents: true, cancellationToken);
            using var stream = new MemoryStream(bytes, writable: false);
            var entry = await backend.Sandboxes.WriteFileAsync(sandbox_id, path, stream, mode: null, cancellationToken);
            return ToolCall.Text($"wrote {entry.Size} bytes to {entry.Path}");
        }, cancellationToken);

    [McpServerTool(Name = "list_files", Title = "List a directory in a sandbox", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Lists a directory inside a sandbox, one entry a line: kind (d directory, f file, l symlink), octal mode, size in bytes, path.")]
    public Task<CallToolResult> ListFiles(
        [Description("The sandbox id returned by create_sandbox or run_code.")] string sandbox_id,
        [Description("Absolute directory path inside the sandbox; default /workspace.")] string? path = null,
        CancellationToken cancellationToken = default) =>
        ToolCall.RunAsync(backend, "list_files", sandbox_id, async () =>
        {
            await ToolAccess.RequireAsync("list_files", Scopes.FilesRead, sandbox_id, backend.Sandboxes, cancellationToken);
            var directory = string.IsNullOrWhiteSpace(path) ? "/workspace" : path;
            var entries = await backend.Sandboxes.ListFilesAsync(sandbox_id, directory, cancellationToken);
            if (entries.Count == 0) return ToolCall.Text($"{directory} is empty");
            var text = new StringBuilder();
            foreach (var e in entries.OrderBy(e => e.Path, StringComparer.Ordinal))
            {
                var kind = e.Kind switch { FileKind.Directory => 'd', FileKind.File => 'f', FileKind.Symlink => 'l', _ => '?' };
                text.Append(CultureInfo.InvariantCulture, $"{kind} {Convert.ToString(e.Mode & 0xFFF, 8).PadLeft(4, '0')} {e.Size,10} {e.Path}");
                if (e.LinkTarget is { } target) text.Append(CultureInfo.InvariantCulture, $" -> {target}");
                text.Append('\n');
            }

            return ToolCall.Text(text.ToString());
        }, cancellationToken);

    /// <summary>A whole file, refused past <see cref="ReadCap"/> with a message that says what to do instead.</summary>
    internal static async Task<byte[]> ReadAsync(ISandboxOperations sandboxes, string sandboxId, string path, CancellationToken cancellationToken)
    {
        await using var stream = await sandboxes.ReadFileAsync(sandboxId, path, cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > ReadCap) throw new AirlockException(AirlockErrorKind.TooLarge, $"{path} is larger than {ReadCap} bytes; read a part with exec_command, e.g. head -c 4096 {path}");
        }

        return buffer.ToArray();
    }

    internal static string? TryUtf8(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static byte[] Decode(string content, string? encoding)
    {
        switch (encoding?.Trim().ToLowerInvariant())
        {
            case null or "" or "utf8" or "utf-8":
                return Encoding.UTF8.GetBytes(content);
            case "base64":
                try
                {
                    return Convert.FromBase64String(content);
                }
                catch (FormatException)
                {
                    throw AirlockException.Invalid("content is not valid base64 (encoding is 'base64'); send the bytes base64-encoded, or use encoding 'utf8' for text");
                }

            default:
                throw AirlockException.Invalid($"encoding '{encoding}' is not known; use 'utf8' (default) or 'base64'");
        }
    }
}
