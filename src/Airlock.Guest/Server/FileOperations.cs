using Airlock.Guest.Files;
using Airlock.Guest.Protocol;

namespace Airlock.Guest.Server;

/// <summary>The streaming file and tar operations: the protocol side of <see cref="SandboxFileSystem"/>.</summary>
internal static class FileOperations
{
    private static readonly GuestJsonContext Json = GuestJsonContext.Default;

    public static async Task ReadAsync(SandboxFileSystem fs, FrameConnection connection, string? path, CancellationToken cancellationToken)
    {
        var (content, entry) = fs.OpenRead(path!);
        await using (content)
        {
            await connection.WriteJsonAsync(entry, Json.FileEntry, cancellationToken);
            byte[] buffer = new byte[GuestProtocol.DataChunkSize];
            int n;
            while ((n = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await connection.WriteFrameAsync(FrameType.Data, buffer.AsMemory(0, n), cancellationToken);
            }

            await connection.WriteFrameAsync(FrameType.End, ReadOnlyMemory<byte>.Empty, cancellationToken);
        }
    }

    public static async Task WriteAsync(SandboxFileSystem fs, FrameConnection connection, string? path, int? mode, CancellationToken cancellationToken)
    {
        await using FileStream file = fs.OpenWrite(path!, mode);
        await connection.WriteJsonAsync(GuestOk.Instance, Json.GuestOk, cancellationToken);
        await using var data = new DataFrameReadStream(connection, ownsConnection: false);
        try
        {
            await data.CopyToAsync(file, GuestProtocol.DataChunkSize, cancellationToken);
        }
        catch (IOException e)
        {
            throw FileSystemErrors.FromIo(e, path!);
        }

        await connection.WriteJsonAsync(SandboxFileSystem.Describe(file.SafeFileHandle, path!), Json.FileEntry, cancellationToken);
    }

    public static async Task TarGetAsync(SandboxFileSystem fs, FrameConnection connection, string? path, CancellationToken cancellationToken)
    {
        TarExporter.Check(fs, path!);
        await connection.WriteJsonAsync(GuestOk.Instance, Json.GuestOk, cancellationToken);
        await using (var output = new BufferedStream(new DataFrameWriteStream(connection), GuestProtocol.DataChunkSize))
        {
            await TarExporter.WriteAsync(fs, path!, output, cancellationToken);
            await output.FlushAsync(cancellationToken);
        }

        await connection.WriteFrameAsync(FrameType.End, ReadOnlyMemory<byte>.Empty, cancellationToken);
    }

    public static async Task TarPutAsync(SandboxFileSystem fs, FrameConnection connection, string? path, CancellationToken cancellationToken)
    {
        using var target = TarImporter.OpenTarget(fs, path!);
        await connection.WriteJsonAsync(GuestOk.Instance, Json.GuestOk, cancellationToken);
        await using var data = new DataFrameReadStream(connection, ownsConnection: false);
        try
        {
            await TarImporter.ExtractAsync(target, data, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException)
        {
            throw AirlockException.Invalid("the upload is not a valid tar stream: " + e.Message);
        }

        await data.CopyToAsync(Stream.Null, cancellationToken); // trailing padding up to End
        await connection.WriteJsonAsync(GuestOk.Instance, Json.GuestOk, cancellationToken);
    }
}
