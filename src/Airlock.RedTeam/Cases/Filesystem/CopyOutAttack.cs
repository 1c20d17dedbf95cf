using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Filesystem;

/// <summary>
/// <c>airlock cp ID:/dir HOSTDIR</c> against a hostile sandbox: its tree holds symlinks to host marker files and
/// directories, so a copy that followed them would read host secrets into the copy or write through them on the
/// host. The host extracts with the CLI's own extractor into a fresh directory, then checks what landed.
/// </summary>
internal sealed class CopyOutAttack : IAttackCase
{
    public string Category => Categories.Filesystem;

    public string Name => "cp-out-symlinks";

    public string Attempts => "plant symlinks to host markers and directories in /workspace/out, then have the host 'airlock cp' it out; host: no secret in the copy, nothing written through the links";

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        if (context.Environment.Options.ExtractTar is not { } extract) return Judgement.NotRun("no host-side tar extractor given");
        var sandbox = await context.CreateSandboxAsync(cancellationToken: cancellationToken);
        var marker = context.Markers.Files.First();
        await context.ShellAsync(sandbox.Id, $"mkdir -p /workspace/out/sub; ln -s {marker} /workspace/out/secret; ln -s {Path.GetDirectoryName(marker)} /workspace/out/dir; ln -s / /workspace/out/root; echo ok > /workspace/out/sub/f", TimeSpan.FromSeconds(20), cancellationToken);
        var destination = Directory.CreateTempSubdirectory("airlock-redteam-cp-").FullName;
        try
        {
            await using (var tar = await context.Sandboxes.DownloadTarAsync(sandbox.Id, "/workspace/out", cancellationToken))
            {
                await extract(tar, destination, cancellationToken);
            }

            var findings = new List<string>();
            foreach (var file in RegularFiles(destination))
            {
                findings.AddRange(context.Markers.LeakedIn(System.IO.File.ReadAllText(file)).Select(l => $"the copy's {file} holds {l}"));
            }

            findings.AddRange(context.Markers.Tampered());
            var entries = RegularFiles(destination).Count();
            return Judgement.From(findings, $"copied {entries} regular file(s); links stayed links, no host secret in copied files, host markers unchanged");
        }
        finally
        {
            Directory.Delete(destination, recursive: true);
        }
    }

    /// <summary>Regular files under <paramref name="directory"/>, never descending through a symlink (it may point anywhere on the host).</summary>
    private static IEnumerable<string> RegularFiles(string directory)
    {
        foreach (var entry in Directory.GetFileSystemEntries(directory))
        {
            var info = new FileInfo(entry);
            if (info.LinkTarget is not null) continue;
            if (Directory.Exists(entry))
            {
                foreach (var inner in RegularFiles(entry)) yield return inner;
            }
            else
            {
                yield return entry;
            }
        }
    }
}
