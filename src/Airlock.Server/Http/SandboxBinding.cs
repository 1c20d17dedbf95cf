using Airlock.Access;

namespace Airlock.Server.Http;

/// <summary>What a token's binding means for routes without a sandbox id: creating and listing.</summary>
internal static class SandboxBinding
{
    /// <summary>
    /// A token bound to one sandbox cannot create any (it could never touch them); one bound by labels may create only
    /// sandboxes that carry its labels, so that everything it creates stays inside its reach and nothing else does.
    /// </summary>
    public static void EnsureMayCreate(Caller caller, IReadOnlyDictionary<string, string> labels)
    {
        if (caller.IsAdmin) return;
        if (caller.SandboxId is { } bound)
        {
            throw AirlockException.Forbidden($"token {caller.TokenId} is bound to sandbox {bound} and cannot create sandboxes");
        }

        if (caller.LabelSelector is { } selector && !caller.MayTouch("", labels))
        {
            throw AirlockException.Forbidden($"token {caller.TokenId} is bound to sandboxes labelled {Describe(selector)}; give the new sandbox those labels (--label)");
        }
    }

    public static IReadOnlyList<SandboxInfo> Visible(Caller caller, IReadOnlyList<SandboxInfo> sandboxes) =>
        caller.IsAdmin ? sandboxes : sandboxes.Where(s => caller.MayTouch(s.Id, s.Labels)).ToList();

    public static string Describe(IReadOnlyDictionary<string, string> labels) => string.Join(",", labels.Select(l => $"{l.Key}={l.Value}"));
}
