using Airlock.Policy;

namespace Airlock.Core.Policy;

/// <summary>Reading single values, lists and sections, with the error each shape mismatch deserves.</summary>
internal sealed partial class PolicyBinder
{
    private delegate bool TryParser<T>(string text, out T value, out string? error);

    /// <summary>The fields of a section, or null when it is absent or not a mapping (reported).</summary>
    private PolicyFields? Section(PolicyField? field, IReadOnlyList<string> allowed)
    {
        if (field is not { } f) return null;
        if (f.Node is PolicyMapping mapping) return new PolicyFields(mapping, f.Path, allowed, errors);
        errors.Add(f.Node, f.Path, $"expected a mapping with {string.Join(", ", allowed)}, not {f.Node.Description}");
        return null;
    }

    private string? Text(PolicyField? field)
    {
        if (field is not { } f) return null;
        if (f.Node is PolicyScalar scalar) return scalar.Value;
        errors.Add(f.Node, f.Path, $"expected a single value, not {f.Node.Description}");
        return null;
    }

    private T? Parsed<T>(PolicyField? field, TryParser<T> parse)
        where T : struct
    {
        if (Text(field) is not { } text) return null;
        if (parse(text, out var value, out var error)) return value;
        errors.Add(field!.Value.Node, field.Value.Path, error!);
        return null;
    }

    /// <summary>The entries of a list, each with its path; nothing (reported) when the value is not a list.</summary>
    private IEnumerable<PolicyField> Items(PolicyField? field, string example)
    {
        if (field is not { } f) return [];
        if (f.Node is PolicySequence sequence) return sequence.Items.Select((item, i) => new PolicyField(item, PolicyPath.Item(f.Path, i)));
        errors.Add(f.Node, f.Path, $"expected a list, like {example}, not {f.Node.Description}");
        return [];
    }

    /// <summary>A list of non-empty strings, such as tool patterns.</summary>
    private List<string> Strings(PolicyField? field, string example)
    {
        var result = new List<string>();
        foreach (var item in Items(field, example))
        {
            var text = item.Node is PolicyScalar { IsNull: true } ? "" : Text(item);
            if (text is null) continue;
            if (text.Trim().Length == 0) errors.Add(item.Node, item.Path, "empty entry");
            else result.Add(text);
        }

        return result;
    }

    private List<EgressTarget> Targets(PolicyField? field, bool allowNetworks, string example)
    {
        var result = new List<EgressTarget>();
        foreach (var item in Items(field, example))
        {
            var text = item.Node is PolicyScalar { IsNull: true } ? "" : Text(item);
            if (text is null) continue;
            if (EgressTargetParser.TryParse(text, allowNetworks, out var target, out var error)) result.Add(target!);
            else errors.Add(item.Node, item.Path, error!);
        }

        return result;
    }

    private T? Invalid<T>(PolicyField field, string message)
        where T : struct
    {
        errors.Add(field.Node, field.Path, message);
        return null;
    }
}
