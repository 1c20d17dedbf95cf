using Airlock.RedTeam.Host;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Filesystem;

/// <summary>
/// Persistence into the next sandbox: the first sandbox writes its nonce into /tmp, /root/.bashrc, /etc/profile,
/// /usr/bin/python3 (a binary of the image) and /workspace, starts a marked background process, and is destroyed.
/// The host then checks: no host process carries the nonce, the image's files hash the same, and a fresh
/// sandbox's files (read by the host through the files API) hold no trace of it.
/// </summary>
internal sealed class PersistenceAttack : IAttackCase
{
    private static readonly string[] Planted = ["/tmp/persist", "/root/.bashrc", "/etc/profile", "/workspace/persist", "/var/tmp/persist"];

    public string Category => Categories.Filesystem;

    public string Name => "persistence-next-sandbox";

    public string Attempts => "write a nonce into /tmp, .bashrc, /etc/profile, /workspace and over /usr/bin/python3, leave a marked process, get destroyed; host: image unchanged, no process left, a fresh sandbox is clean";

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var imageRoot = ImageRoot(context);
        var imageFiles = new[] { "root/.bashrc", "etc/profile", "usr/bin/python3" }.Select(f => Path.Combine(imageRoot ?? "/nonexistent", f)).ToList();
        var before = imageFiles.ToDictionary(f => f, HostFiles.Sha256);
        var first = await context.CreateSandboxAsync(cancellationToken: cancellationToken);
        var secret = "persist-" + context.Nonce;
        await context.ShellAsync(first.Id, $"mkdir -p /workspace; for f in {string.Join(' ', Planted)}; do echo {secret} >> $f; done; echo {secret} > /usr/bin/python3; (setsid sh -c 'sleep 600' airlock-rt-{context.Nonce} &) ; echo planted", TimeSpan.FromSeconds(20), cancellationToken);
        await context.Sandboxes.DeleteAsync(first.Id, cancellationToken);
        var findings = new List<string>();
        findings.AddRange(HostProcesses.WithInCommandLine(context.Nonce).Select(p => $"host pid {p} of the destroyed sandbox is still running"));
        findings.AddRange(before.Where(b => b.Value is not null && HostFiles.Sha256(b.Key) != b.Value).Select(b => $"the image's {b.Key} changed"));
        var second = await context.CreateSandboxAsync(cancellationToken: cancellationToken);
        foreach (var path in Planted.Append("/usr/bin/python3"))
        {
            try
            {
                await using var stream = await context.Sandboxes.ReadFileAsync(second.Id, path, cancellationToken);
                var head = new byte[1 << 20];
                var n = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
                if (System.Text.Encoding.Latin1.GetString(head, 0, n).Contains(secret, StringComparison.Ordinal)) findings.Add($"the next sandbox's {path} holds the first one's nonce");
            }
            catch (AirlockException)
            {
                // Absent in the fresh sandbox: nothing persisted there.
            }
        }

        var images = imageRoot is null ? "image root not found on this host (remote engine)" : $"image files {string.Join(", ", before.Select(b => $"{Path.GetFileName(b.Key)} {b.Value?[..12]}"))} unchanged";
        return Judgement.From(findings, $"no host process with the nonce after destroy; {images}; a fresh sandbox's {Planted.Length + 1} files hold no trace");
    }

    /// <summary>The default image's root filesystem in the image store, when it is on this host.</summary>
    private static string? ImageRoot(CaseContext context)
    {
        var images = context.Environment.Paths.Images;
        foreach (var candidate in new[] { Path.Combine(images, "python", "rootfs"), Path.Combine(images, "python") })
        {
            if (File.Exists(Path.Combine(candidate, "usr/bin/python3"))) return candidate;
        }

        return null;
    }
}
