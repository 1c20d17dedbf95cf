using System.Text;
using Airlock.Core.Network;

namespace Airlock.Core.Engine;

/// <summary>What a sandbox with egress gets inside: its resolver, the sandbox CA in its trust store, the canary file.</summary>
public sealed partial class SandboxEngine
{
    private static IReadOnlyDictionary<string, string> MergeEnvironment(IReadOnlyDictionary<string, string> asked, IReadOnlyDictionary<string, string> egress)
    {
        // Airlock's values win: a caller's variable of the same name must not shadow a secret's placeholder.
        var merged = new Dictionary<string, string>(asked, StringComparer.Ordinal);
        foreach (var (key, value) in egress) merged[key] = value;
        return merged;
    }

    /// <summary>
    /// Written through the guest agent, as root inside, into the sandbox's own copy-on-write layer: the host never
    /// resolves a path in a root the sandbox controls.
    /// </summary>
    private async Task PlantEgressFilesAsync(SandboxInfo info, EgressPlan plan, EgressSetup egress, CancellationToken cancellationToken)
    {
        var guest = GuestFor(info);
        await WriteAsync("/etc/resolv.conf", $"nameserver {egress.Lease.HostAddress}\noptions attempts:1 timeout:2\n", 0b110_100_100);
        await guest.MakeDirectoryAsync("/root/.aws", true, cancellationToken);
        await WriteAsync(EgressPlan.CanaryFile, plan.CanaryFileText, 0b110_000_000);
        if (egress.CertificateAuthorityPem is { } ca)
        {
            string bundle;
            try
            {
                await using var existing = await guest.ReadFileAsync(SandboxEgress.CaBundle, cancellationToken);
                using var reader = new StreamReader(existing);
                bundle = await reader.ReadToEndAsync(cancellationToken);
            }
            catch (AirlockException)
            {
                // An image without ca-certificates: the bundle holds the sandbox CA alone.
                bundle = "";
                await guest.MakeDirectoryAsync(Path.GetDirectoryName(SandboxEgress.CaBundle)!, true, cancellationToken);
            }

            await guest.MakeDirectoryAsync(Path.GetDirectoryName(SandboxEgress.CaFile)!, true, cancellationToken);
            await WriteAsync(SandboxEgress.CaFile, ca, 0b110_100_100);
            await WriteAsync(SandboxEgress.CaBundle, bundle.TrimEnd() + "\n" + ca.TrimEnd() + "\n", 0b110_100_100);
        }

        async Task WriteAsync(string path, string text, int mode)
        {
            await using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
            await guest.WriteFileAsync(path, content, mode, cancellationToken);
        }
    }
}
