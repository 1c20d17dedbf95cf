using System.Formats.Tar;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Filesystem;

/// <summary>
/// A tar upload (what <c>airlock cp FILE ID:/dir</c> sends) crafted to land outside its directory: '..' names,
/// absolute names, a symlink to a host directory followed by a file "inside" it, a hard link to a host marker.
/// The host checks that nothing appeared beside its markers and the markers are unchanged.
/// </summary>
internal sealed class TarUploadAttack : IAttackCase
{
    public string Category => Categories.Filesystem;

    public string Name => "tar-upload-escape";

    public string Attempts => "upload a tar with '../' and absolute names, a symlink to a host directory then a file through it, and a hard link to a host marker";

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var sandbox = await context.CreateSandboxAsync(cancellationToken: cancellationToken);
        var marker = context.Markers.Files.First();
        var dir = Path.GetDirectoryName(marker)!;
        var drop = "dropped-" + context.Nonce;
        var tars = new List<Action<TarWriter>>
        {
            w => File(w, "../../../../../.." + dir + "/" + drop),
            w => File(w, dir + "/" + drop),
            w => { w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "hop") { LinkName = dir }); File(w, "hop/" + drop); },
            w => w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "hard") { LinkName = marker }),
            w => { w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "m") { LinkName = marker }); File(w, "m"); },
        };
        var refused = 0;
        foreach (var build in tars)
        {
            var buffer = new MemoryStream();
            await using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true)) build(writer);
            buffer.Position = 0;
            try
            {
                await context.Sandboxes.UploadTarAsync(sandbox.Id, "/workspace", buffer, cancellationToken);
            }
            catch (AirlockException)
            {
                refused++;
            }
        }

        var findings = context.Markers.Tampered().ToList();
        return Judgement.From(findings, $"{tars.Count} crafted tars, {refused} refused; host markers unchanged and nothing new beside them");
    }

    private static void File(TarWriter writer, string name) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream("pwned\n"u8.ToArray()) });
}
