using Airlock.Audit;
using Airlock.Core.Policy.Decisions;

namespace Airlock.Core.Governance;

/// <summary>The files API: judged by the policy's file and tool rules, recorded with the path (never the content).</summary>
public sealed partial class GovernedSandboxOperations
{
    public async Task<Stream> ReadFileAsync(string id, string path, CancellationToken cancellationToken = default) =>
        await FileOperationAsync(id, FileOperation.Read, path, "read", () => engine.ReadFileAsync(id, path, cancellationToken), cancellationToken);

    public async Task<FileEntry> WriteFileAsync(string id, string path, Stream content, int? mode = null, CancellationToken cancellationToken = default) =>
        await FileOperationAsync(id, FileOperation.Write, path, "write", () => engine.WriteFileAsync(id, path, content, mode, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<FileEntry>> ListFilesAsync(string id, string path, CancellationToken cancellationToken = default) =>
        await FileOperationAsync(id, FileOperation.Read, path, "list", () => engine.ListFilesAsync(id, path, cancellationToken), cancellationToken);

    public async Task<FileEntry> StatFileAsync(string id, string path, CancellationToken cancellationToken = default) =>
        await FileOperationAsync(id, FileOperation.Read, path, "stat", () => engine.StatFileAsync(id, path, cancellationToken), cancellationToken);

    public async Task<FileEntry> MakeDirectoryAsync(string id, string path, bool parents = true, CancellationToken cancellationToken = default) =>
        await FileOperationAsync(id, FileOperation.Write, path, "mkdir", () => engine.MakeDirectoryAsync(id, path, parents, cancellationToken), cancellationToken);

    public async Task RemoveFileAsync(string id, string path, bool recursive = false, CancellationToken cancellationToken = default) =>
        await FileOperationAsync(id, FileOperation.Delete, path, recursive ? "remove-recursive" : "remove", async () =>
        {
            await engine.RemoveFileAsync(id, path, recursive, cancellationToken);
            return true;
        }, cancellationToken);

    public async Task<Stream> DownloadTarAsync(string id, string path, CancellationToken cancellationToken = default) =>
        await FileOperationAsync(id, FileOperation.Read, path, "download-tar", () => engine.DownloadTarAsync(id, path, cancellationToken), cancellationToken);

    public async Task UploadTarAsync(string id, string path, Stream tar, CancellationToken cancellationToken = default) =>
        await FileOperationAsync(id, FileOperation.Write, path, "upload-tar", async () =>
        {
            await engine.UploadTarAsync(id, path, tar, cancellationToken);
            return true;
        }, cancellationToken);

    private async Task<T> FileOperationAsync<T>(string id, FileOperation operation, string path, string verb, Func<Task<T>> run, CancellationToken cancellationToken)
    {
        await AuthorizeAsync(id, new FileAction(operation, path), cancellationToken);
        var kind = operation switch
        {
            FileOperation.Read => AuditKinds.FileRead,
            FileOperation.Write => AuditKinds.FileWrite,
            _ => AuditKinds.FileDelete,
        };
        try
        {
            var result = await run();
            await AuditAsync(kind, AuditOutcomes.Ok, id, new() { ["path"] = path, ["op"] = verb });
            return result;
        }
        catch (AirlockException e)
        {
            await AuditAsync(kind, AuditOutcomes.Failed, id, new() { ["path"] = path, ["op"] = verb, ["error"] = e.Message });
            throw;
        }
    }
}
