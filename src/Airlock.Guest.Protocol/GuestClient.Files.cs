namespace Airlock.Guest.Protocol;

public sealed partial class GuestClient
{
    /// <summary>Opens a file for reading. The returned stream pulls Data frames lazily; dispose it to close the connection.</summary>
    public async Task<Stream> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(new GuestRequest { Op = GuestOps.FileRead, Path = RequirePath(path) }, cancellationToken);
        try
        {
            await ReadJsonAsync(connection, Json.FileEntry, "file read", cancellationToken);
            return new DataFrameReadStream(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates or truncates <paramref name="path"/> and streams <paramref name="content"/> into it.</summary>
    public async Task<FileEntry> WriteFileAsync(string path, Stream content, int? mode = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(new GuestRequest { Op = GuestOps.FileWrite, Path = RequirePath(path), Mode = mode }, cancellationToken);
        await ReadJsonAsync(connection, Json.GuestOk, "file write", cancellationToken);
        await SendDataAsync(connection, content, "file write", cancellationToken);
        return await ReadJsonAsync(connection, Json.FileEntry, "file write", cancellationToken);
    }

    public async Task<IReadOnlyList<FileEntry>> ListFilesAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(new GuestRequest { Op = GuestOps.FileList, Path = RequirePath(path) }, cancellationToken);
        return await ReadJsonAsync(connection, Json.ListFileEntry, "file list", cancellationToken);
    }

    /// <summary>Metadata of <paramref name="path"/>; a final symlink is described, not followed.</summary>
    public async Task<FileEntry> StatAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(new GuestRequest { Op = GuestOps.FileStat, Path = RequirePath(path) }, cancellationToken);
        return await ReadJsonAsync(connection, Json.FileEntry, "file stat", cancellationToken);
    }

    public async Task<FileEntry> MakeDirectoryAsync(string path, bool parents, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(new GuestRequest { Op = GuestOps.FileMkdir, Path = RequirePath(path), Parents = parents }, cancellationToken);
        return await ReadJsonAsync(connection, Json.FileEntry, "mkdir", cancellationToken);
    }

    public async Task RemoveAsync(string path, bool recursive, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(new GuestRequest { Op = GuestOps.FileRemove, Path = RequirePath(path), Recursive = recursive }, cancellationToken);
        await ReadJsonAsync(connection, Json.GuestOk, "remove", cancellationToken);
    }

    /// <summary>A tar stream of <paramref name="path"/>: entries are named from its last component ("dir/", "dir/file").</summary>
    public async Task<Stream> DownloadTarAsync(string path, CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(new GuestRequest { Op = GuestOps.TarGet, Path = RequirePath(path) }, cancellationToken);
        try
        {
            await ReadJsonAsync(connection, Json.GuestOk, "tar download", cancellationToken);
            return new DataFrameReadStream(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Extracts <paramref name="tar"/> into the existing directory <paramref name="path"/>.</summary>
    public async Task UploadTarAsync(string path, Stream tar, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(new GuestRequest { Op = GuestOps.TarPut, Path = RequirePath(path) }, cancellationToken);
        await ReadJsonAsync(connection, Json.GuestOk, "tar upload", cancellationToken);
        await SendDataAsync(connection, tar, "tar upload", cancellationToken);
        await ReadJsonAsync(connection, Json.GuestOk, "tar upload", cancellationToken);
    }
}
