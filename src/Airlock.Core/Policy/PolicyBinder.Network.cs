using System.Text.RegularExpressions;
using Airlock.Policy;

namespace Airlock.Core.Policy;

/// <summary>The <c>network</c> and <c>secrets</c> sections.</summary>
internal sealed partial class PolicyBinder
{
    private static readonly string[] SecretKeys = ["from", "hosts", "header"];

    private NetworkPolicy Network(PolicyField? field)
    {
        var fields = Section(field, ["allow"]);
        return new NetworkPolicy { Allow = Targets(fields?["allow"], allowNetworks: true, "[ \"pypi.org\", \"*.pythonhosted.org\" ]") };
    }

    private Dictionary<string, SecretPolicy> Secrets(PolicyField? field)
    {
        var secrets = new Dictionary<string, SecretPolicy>(StringComparer.Ordinal);
        if (field is not { } f) return secrets;
        if (f.Node is not PolicyMapping mapping)
        {
            errors.Add(f.Node, f.Path, $"expected a mapping of secret names to {{ from, hosts }}, not {f.Node.Description}");
            return secrets;
        }

        foreach (var (key, value) in mapping.Entries)
        {
            var path = PolicyPath.Child(f.Path, key.Value);
            if (!EnvName().IsMatch(key.Value))
            {
                errors.Add(key, path, $"'{key.Value}' is not a secret name; the sandbox sees it as an environment variable, so use [A-Za-z_][A-Za-z0-9_]*");
            }

            if (Secret(key.Value, new PolicyField(value, path)) is { } secret) secrets[key.Value] = secret;
        }

        return secrets;
    }

    private SecretPolicy? Secret(string name, PolicyField field)
    {
        var fields = Section(field, SecretKeys);
        if (fields is null) return null;

        var source = Source(fields["from"]);
        if (fields["from"] is null) errors.Add(field.Node, field.Path, "missing 'from' (env:VAR or file:/path)");

        // A secret that may go nowhere is useless; one that may go anywhere is a leak. The author says where.
        var hostsField = fields["hosts"];
        var hosts = Targets(hostsField, allowNetworks: false, "[ \"api.stripe.com\" ]");
        if (hostsField is null) errors.Add(field.Node, field.Path, "missing 'hosts', the hosts this secret may be sent to");
        else if (hostsField.Value.Node is PolicySequence { Items.Count: 0 }) errors.Add(hostsField.Value.Node, hostsField.Value.Path, "empty; list the hosts this secret may be sent to");

        var header = Text(fields["header"]);
        if (header is not null && !HeaderName().IsMatch(header))
        {
            errors.Add(fields["header"]!.Value.Node, fields["header"]!.Value.Path, $"'{header}' is not an HTTP header name");
            header = null;
        }

        return source is null ? null : new SecretPolicy { Name = name, From = source, Hosts = hosts, Header = header };
    }

    private SecretSource? Source(PolicyField? field)
    {
        var text = Text(field);
        if (text is null) return null;
        string? error = null;
        SecretSource? source = null;
        if (text.StartsWith("env:", StringComparison.Ordinal))
        {
            var variable = text[4..];
            if (EnvName().IsMatch(variable)) source = new SecretSource { Kind = SecretSourceKind.Env, Reference = variable };
            else error = $"'{variable}' is not an environment variable name";
        }
        else if (text.StartsWith("file:", StringComparison.Ordinal))
        {
            // Absolute, because a relative path would mean one file to the CLI and another to the daemon.
            var path = text[5..];
            if (path.StartsWith('/') && !path.Contains('\0', StringComparison.Ordinal)) source = new SecretSource { Kind = SecretSourceKind.File, Reference = path };
            else error = $"'{path}' is not an absolute path";
        }
        else
        {
            error = $"'{text}' is not a secret source; use env:VAR or file:/absolute/path";
        }

        if (error is not null) errors.Add(field!.Value.Node, field.Value.Path, error);
        return source;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*\\z")]
    private static partial Regex EnvName();

    /// <summary>RFC 9110 token characters.</summary>
    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+\\z")]
    private static partial Regex HeaderName();
}
