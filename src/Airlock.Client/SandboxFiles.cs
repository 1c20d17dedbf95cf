using System.Text;

namespace Airlock.Client;

/// <summary>Files inside one sandbox. Paths are absolute paths inside the sandbox.</summary>
public sealed class SandboxFiles
{
    private readonly ISandboxOperations _operations;
    private readonly string _id;

    internal SandboxFiles(ISandboxOperations operations, string id)
    {
        _operations = operations;
        _id = id;
    }

    /// <summary>Opens a file for reading, unbuffered; dispose the stream.</summary>
    public Task<Stream> ReadAsync(string path, CancellationToken cancellationToken = default) =>
        _operations.ReadFileAsync(_id, path, cancellationToken);

    /// <summary>Reads a whole file.</summary>
    public async Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = await ReadAsync(path, cancellationToken);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>Reads a whole file as UTF-8 text.</summary>
    public async Task<string> ReadTextAsync(string path, CancellationToken cancellationToken = default) =>
        Encoding.UTF8.GetString(await ReadAllBytesAsync(path, cancellationToken));

    /// <summary>Creates or replaces a file with the content of <paramref name="content"/>, read as it is sent.</summary>
    public Task<FileEntry> WriteAsync(string path, Stream content, int? mode = null, CancellationToken cancellationToken = default) =>
        _operations.WriteFileAsync(_id, path, content, mode, cancellationToken);

    /// <summary>Creates or replaces a file with <paramref name="content"/>.</summary>
    public async Task<FileEntry> WriteAsync(string path, byte[] content, int? mode = null, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(content, writable: false);
        return await WriteAsync(path, stream, mode, cancellationToken);
    }

    /// <summary>Creates or replaces a file with <paramref name="text"/> as UTF-8.</summary>
    public Task<FileEntry> WriteAsync(string path, string text, int? mode = null, CancellationToken cancellationToken = default) =>
        WriteAsync(path, Encoding.UTF8.GetBytes(text), mode, cancellationToken);

    /// <summary>The entries of a directory.</summary>
    public Task<IReadOnlyList<FileEntry>> ListAsync(string path, CancellationToken cancellationToken = default) =>
        _operations.ListFilesAsync(_id, path, cancellationToken);

    /// <summary>A file's kind, size and mode; NotFound when it does not exist.</summary>
    public Task<FileEntry> StatAsync(string path, CancellationToken cancellationToken = default) =>
        _operations.StatFileAsync(_id, path, cancellationToken);

    /// <summary>Creates a directory (and, by default, its missing parents).</summary>
    public Task<FileEntry> MakeDirectoryAsync(string path, bool parents = true, CancellationToken cancellationToken = default) =>
        _operations.MakeDirectoryAsync(_id, path, parents, cancellationToken);

    /// <summary>Removes a file, or a directory (with its content when <paramref name="recursive"/>).</summary>
    public Task RemoveAsync(string path, bool recursive = false, CancellationToken cancellationToken = default) =>
        _operations.RemoveFileAsync(_id, path, recursive, cancellationToken);

    /// <summary>A tar stream of a file or directory tree; symlinks are stored, never followed.</summary>
    public Task<Stream> DownloadTarAsync(string path, CancellationToken cancellationToken = default) =>
        _operations.DownloadTarAsync(_id, path, cancellationToken);

    /// <summary>Extracts a tar stream into the directory <paramref name="path"/>.</summary>
    public Task UploadTarAsync(string path, Stream tar, CancellationToken cancellationToken = default) =>
        _operations.UploadTarAsync(_id, path, tar, cancellationToken);
}
