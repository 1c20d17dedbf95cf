using System.ComponentModel;
using Airlock.Access;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Airlock.Mcp;

/// <summary>A sandbox's files as MCP resources: <c>airlock://sandboxes/{id}/files/{path}</c>, text or base64 blob.</summary>
[McpServerResourceType]
internal sealed class SandboxFileResources(McpBackend backend)
{
    public const string UriTemplate = "airlock://sandboxes/{id}/files/{+path}";

    [McpServerResource(UriTemplate = UriTemplate, Name = "sandbox_file", Title = "A file inside a sandbox")]
    [Description("A file inside a sandbox, by sandbox id and absolute path without its leading slash, e.g. airlock://sandboxes/ID/files/workspace/out.csv.")]
    public async Task<ResourceContents> ReadFile(string id, string path, CancellationToken cancellationToken = default)
    {
        var uri = $"airlock://sandboxes/{id}/files/{path}";
        try
        {
            await ToolAccess.RequireAsync("resources/read", Scopes.FilesRead, id, backend.Sandboxes, cancellationToken);
            var bytes = await FileTools.ReadAsync(backend.Sandboxes, id, "/" + path.TrimStart('/'), cancellationToken);
            return FileTools.TryUtf8(bytes) is { } text
                ? new TextResourceContents { Uri = uri, MimeType = "text/plain", Text = text }
                : BlobResourceContents.FromBytes(bytes, uri, "application/octet-stream");
        }
        catch (AirlockException e)
        {
            // Resources have no isError: a JSON-RPC error is how a read fails; the message is the same a tool would give.
            throw new McpException($"cannot read {uri}: {e.Message}");
        }
    }
}
