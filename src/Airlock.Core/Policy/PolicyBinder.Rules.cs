using Airlock.Policy;

namespace Airlock.Core.Policy;

/// <summary>The <c>files</c>, <c>tools</c> and <c>anomalies</c> sections.</summary>
internal sealed partial class PolicyBinder
{
    private List<FileRule> Files(PolicyField? field)
    {
        var rules = new List<FileRule>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var writtenAt = new List<string>();
        foreach (var item in Items(field, "[ { path: /workspace, access: read-write } ]"))
        {
            var fields = Section(item, ["path", "access"]);
            if (fields is null) continue;
            var path = FilePath(fields["path"]);
            PathAccess? access = Text(fields["access"]) switch
            {
                null => null,
                "read-write" => PathAccess.ReadWrite,
                "read-only" => PathAccess.ReadOnly,
                "hidden" => PathAccess.Hidden,
                var other => Invalid<PathAccess>(fields["access"]!.Value, $"'{other}' is not an access; use read-write, read-only or hidden"),
            };
            if (fields["path"] is null) errors.Add(item.Node, item.Path, "missing 'path'");
            if (fields["access"] is null) errors.Add(item.Node, item.Path, "missing 'access' (read-write, read-only or hidden)");
            if (path is null || access is null) continue;
            if (seen.TryGetValue(path, out var first))
            {
                // Two rules for one path would leave the engine to pick one; the author should.
                errors.Add(fields["path"]!.Value.Node, fields["path"]!.Value.Path, $"'{path}' already has a rule at {first}");
                continue;
            }

            var rule = new FileRule { Path = path, Access = access.Value };
            if ((FileRuleChecks.Reserved(path) ?? FileRuleChecks.Conflict(rule, rules, writtenAt)) is { } problem)
            {
                errors.Add(fields["path"]!.Value.Node, fields["path"]!.Value.Path, problem);
                continue;
            }

            seen[path] = item.Path;
            writtenAt.Add(item.Path);
            rules.Add(rule);
        }

        return rules;
    }

    /// <summary>An absolute path, normalised; '.' and '..' are refused rather than resolved, since a rule's meaning must be plain from its text.</summary>
    private string? FilePath(PolicyField? field)
    {
        var text = Text(field);
        if (text is null) return null;
        string? error = null;
        if (!text.StartsWith('/')) error = $"'{text}' is not an absolute path; paths inside the sandbox start with /, like /workspace";
        else if (text.Split('/').Any(s => s is "." or "..")) error = $"'{text}' has a '.' or '..' segment; write the path it means";
        else if (text.Contains('\0', StringComparison.Ordinal)) error = "contains a NUL byte";
        if (error is not null)
        {
            errors.Add(field!.Value.Node, field.Value.Path, error);
            return null;
        }

        var segments = text.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return "/" + string.Join('/', segments);
    }

    private ToolPolicy Tools(PolicyField? field)
    {
        var fields = Section(field, ["deny", "approval"]);
        return new ToolPolicy
        {
            Deny = Strings(fields?["deny"], "[ \"rm -rf /*\" ]"),
            Approval = Strings(fields?["approval"], "[ \"git push *\" ]"),
        };
    }

    private List<AnomalyRule> Anomalies(PolicyField? field)
    {
        var rules = new List<AnomalyRule>();
        foreach (var item in Items(field, "[ { when: \"egress_denied > 20 in 1m\", then: pause } ]"))
        {
            var fields = Section(item, ["when", "then"]);
            if (fields is null) continue;
            AnomalyCondition? condition = null;
            if (Text(fields["when"]) is { } when && !AnomalyConditionParser.TryParse(when, out condition, out var error))
            {
                errors.Add(fields["when"]!.Value.Node, fields["when"]!.Value.Path, error!);
            }

            AnomalyAction? action = Text(fields["then"]) switch
            {
                null => null,
                "pause" => AnomalyAction.Pause,
                "kill" => AnomalyAction.Kill,
                "alert" => AnomalyAction.Alert,
                "revoke" => AnomalyAction.Revoke,
                var other => Invalid<AnomalyAction>(fields["then"]!.Value, $"'{other}' is not an action; use pause, kill, revoke or alert"),
            };
            if (fields["when"] is null) errors.Add(item.Node, item.Path, "missing 'when', e.g. \"egress_denied > 20 in 1m\"");
            if (fields["then"] is null) errors.Add(item.Node, item.Path, "missing 'then' (pause, kill, revoke or alert)");
            if (condition is not null && action is not null) rules.Add(new AnomalyRule { When = condition, Then = action.Value });
        }

        return rules;
    }
}
