using System.CommandLine;
using System.Formats.Tar;
using Airlock.Cli.Infrastructure;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock cp SRC DST</c> with <c>ID:/path</c> on one side, like docker cp: files as they are,
/// directories as tar. A destination that is an existing directory receives the source by its name.
/// </summary>
internal static class CpCommand
{
    public static Command Build(CliContext context)
    {
        var source = new Argument<string>("SRC") { Description = "Local path or ID:/path" };
        var destination = new Argument<string>("DST") { Description = "Local path or ID:/path" };
        var command = new Command("cp", "Copy files or directories between the host and a sandbox") { source, destination };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var from = CpLocation.Parse(parse.GetValue(source)!);
            var to = CpLocation.Parse(parse.GetValue(destination)!);
            if (from.SandboxId is not null && to.SandboxId is not null) throw new UsageException("cp between two sandboxes is not supported; copy through the host");
            if (from.SandboxId is null && to.SandboxId is null) throw new UsageException("one side of cp must be ID:/path inside a sandbox");
            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            if (to.SandboxId is { } id) await UploadAsync(backend.Sandboxes, from.Path, id, to.Path, cancellationToken);
            else await DownloadAsync(backend.Sandboxes, from.SandboxId!, from.Path, to.Path, context.Console, cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task UploadAsync(ISandboxOperations sandboxes, string local, string id, string remote, CancellationToken cancellationToken)
    {
        var isDirectory = Directory.Exists(local);
        if (!isDirectory && !File.Exists(local)) throw new UsageException($"{local}: no such file or directory");
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(local)));
        var target = remote;
        FileEntry? existing = null;
        try
        {
            existing = await sandboxes.StatFileAsync(id, remote, cancellationToken);
        }
        catch (AirlockException e) when (e.Kind == AirlockErrorKind.NotFound)
        {
        }

        if (existing?.Kind == FileKind.Directory) target = Join(remote, name);
        else if (remote.EndsWith('/') && !isDirectory)
        {
            await sandboxes.MakeDirectoryAsync(id, remote, parents: true, cancellationToken);
            target = Join(remote, name);
        }

        if (!isDirectory)
        {
            await using var file = File.OpenRead(local);
            await sandboxes.WriteFileAsync(id, target, file, (int)(File.GetUnixFileMode(local) & (UnixFileMode)0xFFF), cancellationToken);
            return;
        }

        await sandboxes.MakeDirectoryAsync(id, target, parents: true, cancellationToken);
        // A temporary tar file rather than memory: directories can be large. Entries are relative to the
        // directory; symlinks are stored as links and modes are kept.
        await using var tar = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
        await TarFile.CreateFromDirectoryAsync(local, tar, includeBaseDirectory: false, cancellationToken);
        tar.Position = 0;
        await sandboxes.UploadTarAsync(id, target, tar, cancellationToken);
    }

    private static async Task DownloadAsync(ISandboxOperations sandboxes, string id, string remote, string local, CliConsole console, CancellationToken cancellationToken)
    {
        var entry = await sandboxes.StatFileAsync(id, remote, cancellationToken);
        // The name comes from the path the user typed, never from the sandbox's answer (which it controls).
        var name = Path.GetFileName(remote.TrimEnd('/')) is { Length: > 0 } typed ? typed : "root";
        var localIsDirectory = Directory.Exists(local);
        if (!localIsDirectory && local.EndsWith('/')) throw new UsageException($"{local}: no such directory");
        var target = localIsDirectory ? Path.Combine(local, name) : local;
        var parent = Path.GetDirectoryName(Path.GetFullPath(target));
        if (parent is not null && !Directory.Exists(parent)) throw new UsageException($"{parent}: no such directory");

        if (entry.Kind == FileKind.File)
        {
            await using var content = await sandboxes.ReadFileAsync(id, remote, cancellationToken);
            await using (var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken);
            }

            // Permission bits only: a sandbox's file must not become a set-id binary on the host.
            if (entry.Mode != 0) File.SetUnixFileMode(target, (UnixFileMode)(entry.Mode & 0x1FF));
            return;
        }

        if (entry.Kind != FileKind.Directory) throw new UsageException($"{remote} is a {entry.Kind.ToString().ToLowerInvariant()}; cp copies files and directories");
        if (!Directory.Exists(target)) Directory.CreateDirectory(target);
        await using var tar = await sandboxes.DownloadTarAsync(id, remote, cancellationToken);
        var prefix = Path.GetFileName(remote.TrimEnd('/'));
        await SafeTarExtractor.ExtractAsync(tar, target, prefix.Length > 0 ? prefix : null, console.Say, cancellationToken);
    }

    private static string Join(string directory, string name) => directory.TrimEnd('/') + "/" + name;
}

/// <summary>One side of cp: a local path, or <c>ID:/absolute/path</c> inside a sandbox.</summary>
internal sealed record CpLocation(string? SandboxId, string Path)
{
    public static CpLocation Parse(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        // Like docker: "ID:..." names a sandbox when the part before ':' is not itself a path.
        if (colon <= 0 || text[..colon].Contains('/', StringComparison.Ordinal) || text.StartsWith('.'))
        {
            return new CpLocation(null, text);
        }

        var path = text[(colon + 1)..];
        if (!path.StartsWith('/')) throw new UsageException($"'{text}': sandbox paths must be absolute, like {text[..colon]}:/workspace/{path}");
        return new CpLocation(text[..colon], path);
    }
}
