using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Filesystem;

/// <summary>
/// The files API is the host reaching into the sandbox; a sandbox that plants symlinks, or a caller that sends
/// "..", must not turn it into a read or write of the host. The host checks its own files directly.
/// </summary>
internal sealed class FilesApiAttacks(bool write) : IAttackCase
{
    public string Category => Categories.Filesystem;

    public string Name => write ? "files-api-write-escape" : "files-api-read-escape";

    public string Attempts => write
        ? "files API writes through '..' paths and through symlinks the sandbox planted to host directories and marker files"
        : "files API reads of '..' paths and of symlinks the sandbox planted to the host marker files and /";

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var sandbox = await context.CreateSandboxAsync(cancellationToken: cancellationToken);
        var marker = context.Markers.Files.First();
        var markerDir = Path.GetDirectoryName(marker)!;
        await context.ShellAsync(sandbox.Id, $"mkdir -p /workspace; ln -s {marker} /workspace/file-link; ln -s {markerDir} /workspace/dir-link; ln -s / /workspace/root-link; ln -s ../../../../..{markerDir} /workspace/rel-link", TimeSpan.FromSeconds(20), cancellationToken);
        var paths = new[]
        {
            "/workspace/file-link", "/workspace/dir-link/secret.txt", "/workspace/root-link" + marker, "/workspace/rel-link/secret.txt",
            "/../../../../.." + marker, "/workspace/../../../../.." + marker, "../../../../.." + marker,
        };
        var outcomes = new List<string>();
        var findings = new List<string>();
        foreach (var path in paths)
        {
            var target = write ? path.Replace("secret.txt", "dropped-" + context.Nonce, StringComparison.Ordinal) : path;
            try
            {
                if (write)
                {
                    await context.Sandboxes.WriteFileAsync(sandbox.Id, target, new MemoryStream("pwned\n"u8.ToArray()), cancellationToken: cancellationToken);
                    await context.Sandboxes.WriteFileAsync(sandbox.Id, path, new MemoryStream("pwned\n"u8.ToArray()), cancellationToken: cancellationToken);
                    outcomes.Add("accepted");
                }
                else
                {
                    await using var stream = await context.Sandboxes.ReadFileAsync(sandbox.Id, path, cancellationToken);
                    var text = await new StreamReader(stream).ReadToEndAsync(cancellationToken);
                    findings.AddRange(context.Markers.LeakedIn(text).Select(l => $"files API read of '{path}' returned {l}"));
                    outcomes.Add("read");
                }
            }
            catch (AirlockException e)
            {
                outcomes.Add(e.Kind.ToString());
            }

            if (write && File.Exists(Path.Combine(markerDir, "dropped-" + context.Nonce))) findings.Add($"files API write of '{target}' created a host file");
        }

        findings.AddRange(context.Markers.Tampered());
        var summary = string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Count()} {g.Key}"));
        return Judgement.From(findings, $"{paths.Length} paths ({summary}): {(write ? "host markers unchanged, nothing created beside them" : "no host secret returned")}; writes/reads that were accepted landed inside the sandbox");
    }
}
