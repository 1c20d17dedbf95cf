namespace Airlock.Core.Engine;

/// <summary>
/// File operations run in the guest agent, inside the sandbox's own root: the host never resolves a path a
/// sandbox controls, so a symlink planted inside cannot point a host-side open at a host file.
/// </summary>
public sealed partial class SandboxEngine
{
    public async Task<Stream> ReadFileAsync(string id, string path, CancellationToken cancellationToken = default) =>
        await GuardedAsync(id, async () => await GuestFor(await RequireRunningAsync(id, cancellationToken)).ReadFileAsync(path, cancellationToken));

    public async Task<FileEntry> WriteFileAsync(string id, string path, Stream content, int? mode = null, CancellationToken cancellationToken = default) =>
        await GuardedAsync(id, async () => await GuestFor(await RequireRunningAsync(id, cancellationToken)).WriteFileAsync(path, content, mode, cancellationToken));

    public async Task<IReadOnlyList<FileEntry>> ListFilesAsync(string id, string path, CancellationToken cancellationToken = default) =>
        await GuardedAsync(id, async () => await GuestFor(await RequireRunningAsync(id, cancellationToken)).ListFilesAsync(path, cancellationToken));

    public async Task<FileEntry> StatFileAsync(string id, string path, CancellationToken cancellationToken = default) =>
        await GuardedAsync(id, async () => await GuestFor(await RequireRunningAsync(id, cancellationToken)).StatAsync(path, cancellationToken));

    public async Task<FileEntry> MakeDirectoryAsync(string id, string path, bool parents = true, CancellationToken cancellationToken = default) =>
        await GuardedAsync(id, async () => await GuestFor(await RequireRunningAsync(id, cancellationToken)).MakeDirectoryAsync(path, parents, cancellationToken));

    public async Task RemoveFileAsync(string id, string path, bool recursive = false, CancellationToken cancellationToken = default) =>
        await GuardedAsync(id, async () => await GuestFor(await RequireRunningAsync(id, cancellationToken)).RemoveAsync(path, recursive, cancellationToken));

    public async Task<Stream> DownloadTarAsync(string id, string path, CancellationToken cancellationToken = default) =>
        await GuardedAsync(id, async () => await GuestFor(await RequireRunningAsync(id, cancellationToken)).DownloadTarAsync(path, cancellationToken));

    public async Task UploadTarAsync(string id, string path, Stream tar, CancellationToken cancellationToken = default) =>
        await GuardedAsync(id, async () => await GuestFor(await RequireRunningAsync(id, cancellationToken)).UploadTarAsync(path, tar, cancellationToken));
}
