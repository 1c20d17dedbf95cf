using System.Text.RegularExpressions;
using Airlock.Policy;

namespace Airlock.Core.Policy;

/// <summary>
/// Maps a <see cref="PolicyNode"/> tree onto <see cref="SandboxPolicy"/>, adding every problem to the
/// errors rather than stopping at the first. A section with errors still yields a value so that the
/// sections after it are checked too; the loader throws before anyone sees that value.
/// </summary>
internal sealed partial class PolicyBinder(PolicyErrors errors)
{
    private static readonly string[] RootKeys = ["name", "isolation", "limits", "network", "secrets", "files", "tools", "anomalies", "approval_timeout"];

    public SandboxPolicy Bind(PolicyNode? root)
    {
        if (root is null or PolicyScalar { IsNull: true }) return new SandboxPolicy();
        if (root is not PolicyMapping mapping)
        {
            errors.Add(root, "", $"a policy is a mapping of sections ({string.Join(", ", RootKeys)}), not {root.Description}");
            return new SandboxPolicy();
        }

        var fields = new PolicyFields(mapping, "", RootKeys, errors);
        return new SandboxPolicy
        {
            Name = Name(fields["name"]),
            Isolation = Isolation(fields["isolation"]),
            Limits = Limits(fields["limits"]),
            Network = Network(fields["network"]),
            Secrets = Secrets(fields["secrets"]),
            Files = Files(fields["files"]),
            Tools = Tools(fields["tools"]),
            Anomalies = Anomalies(fields["anomalies"]),
            ApprovalTimeout = Parsed<TimeSpan>(fields["approval_timeout"], Units.TryParseDuration),
        };
    }

    private string? Name(PolicyField? field)
    {
        var name = Text(field);
        if (name is null || PolicyName().IsMatch(name)) return name;
        errors.Add(field!.Value.Node, field.Value.Path, $"'{name}' is not a policy name; use 1-63 characters of letters, digits, '.', '_' and '-', starting with a letter or digit");
        return null;
    }

    private IsolationPolicy Isolation(PolicyField? field)
    {
        var fields = Section(field, ["minimum"]);
        if (fields?["minimum"] is not { } minimum) return new IsolationPolicy();
        IsolationTier? tier = Text(minimum) switch
        {
            null => null,
            "container" => IsolationTier.Container,
            "gvisor" => IsolationTier.Gvisor,
            "microvm" => IsolationTier.MicroVm,
            var other => Invalid<IsolationTier>(minimum, $"'{other}' is not an isolation tier; use container, gvisor or microvm"),
        };
        return new IsolationPolicy { Minimum = tier };
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}\\z")]
    private static partial Regex PolicyName();
}
