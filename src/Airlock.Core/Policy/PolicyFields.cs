namespace Airlock.Core.Policy;

/// <summary>The keys of one mapping, checked against the keys its section allows. A key set to null counts as absent.</summary>
internal sealed class PolicyFields
{
    private readonly Dictionary<string, PolicyField> fields = new(StringComparer.Ordinal);

    public PolicyFields(PolicyMapping mapping, string path, IReadOnlyList<string> allowed, PolicyErrors errors)
    {
        foreach (var (key, value) in mapping.Entries)
        {
            var keyPath = PolicyPath.Child(path, key.Value);
            if (!allowed.Contains(key.Value))
            {
                errors.Add(key, path, $"unknown key '{key.Value}'; allowed: {string.Join(", ", allowed)}");
            }
            else if (!(value is PolicyScalar { IsNull: true }))
            {
                fields[key.Value] = new PolicyField(value, keyPath);
            }
        }
    }

    public PolicyField? this[string key] => fields.TryGetValue(key, out var field) ? field : null;
}
