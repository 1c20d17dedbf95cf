using System.Security.Cryptography;
using Airlock.Policy;

namespace Airlock.Core.Network;

/// <summary>
/// What the engine decides for one sandbox's egress before any host resource exists: the secrets' real values
/// (read on the host now, so a missing one fails the create with its name) and the placeholders the sandbox sees
/// instead, and the canaries planted in it. Placeholders and canaries are random per sandbox, so one sandbox's
/// cannot be replayed from another.
/// </summary>
internal sealed record EgressPlan
{
    public const string CanaryFile = "/root/.aws/credentials";

    public required SandboxPolicy Policy { get; init; }

    public required string PolicyText { get; init; }

    public required IReadOnlyList<GatewaySecret> Secrets { get; init; }

    public required string CanaryAccessKeyId { get; init; }

    public required string CanarySecretKey { get; init; }

    public IReadOnlyList<string> Canaries => [CanaryAccessKeyId, CanarySecretKey];

    public static EgressPlan Create(SandboxPolicy policy, string policyText)
    {
        var secrets = policy.Secrets.Values
            .Select(s => new GatewaySecret(s.Name, "airlock-placeholder-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), ReadSecret(s)))
            .ToList();
        return new EgressPlan
        {
            Policy = policy,
            PolicyText = policyText,
            Secrets = secrets,
            // Shaped like real AWS keys, so that a scraper looking for credentials takes them.
            CanaryAccessKeyId = "AKIA" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
            CanarySecretKey = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40),
        };
    }

    /// <summary>The fake credentials file planted in the sandbox; its values are the canaries.</summary>
    public string CanaryFileText => $"[default]\naws_access_key_id = {CanaryAccessKeyId}\naws_secret_access_key = {CanarySecretKey}\n";

    private static string ReadSecret(SecretPolicy secret)
    {
        string? value;
        if (secret.From.Kind == SecretSourceKind.Env)
        {
            value = Environment.GetEnvironmentVariable(secret.From.Reference);
            if (string.IsNullOrEmpty(value))
            {
                throw AirlockException.Invalid($"secret {secret.Name}: environment variable {secret.From.Reference} is not set in the process that creates the sandbox (from: {secret.From})");
            }
        }
        else
        {
            try
            {
                value = File.ReadAllText(secret.From.Reference).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw AirlockException.Invalid($"secret {secret.Name}: cannot read {secret.From.Reference} ({e.Message})");
            }

            if (value.Length == 0) throw AirlockException.Invalid($"secret {secret.Name}: {secret.From.Reference} is empty");
        }

        return value;
    }
}
