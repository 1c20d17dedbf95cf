using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Airlock.Core.Policy;

/// <summary>
/// Reads YAML (and so JSON, which YAML contains) into <see cref="PolicyNode"/>s from YamlDotNet's event
/// parser, reporting what a policy must not contain: duplicate keys, aliases, several documents, control
/// characters, nesting past <see cref="MaxDepth"/>.
/// </summary>
internal sealed class PolicyTreeReader
{
    /// <summary>
    /// A policy is four levels deep. The cap stops reading early, which matters: YamlDotNet's scanner slows
    /// quadratically on deep flow nesting (half a million '[' took minutes).
    /// </summary>
    private const int MaxDepth = 32;

    private readonly Parser parser;
    private readonly PolicyErrors errors;
    private PolicyPosition lastEnd = new(1, 1);

    private PolicyTreeReader(string text, PolicyErrors errors)
    {
        parser = new Parser(new StringReader(text));
        this.errors = errors;
    }

    private ParsingEvent Current => parser.Current!;

    /// <summary>The document's root, or null when it is empty. Syntax errors are added to <paramref name="errors"/>.</summary>
    public static PolicyNode? Read(string text, PolicyErrors errors)
    {
        var reader = new PolicyTreeReader(text, errors);
        try
        {
            return reader.ReadStream();
        }
        catch (YamlException ex)
        {
            errors.Add(Position(ex.Start), "", $"not valid YAML or JSON: {ex.Message}");
            return null;
        }
        catch (ArgumentException ex)
        {
            // YamlDotNet's scanner throws this for an escape it cannot decode, e.g. "\uDA3B\uDFCC" (a surrogate pair
            // written as two escapes): the input is at fault, so it is a syntax error, not a daemon failure (a 500).
            errors.Add(reader.lastEnd, "", $"not valid YAML or JSON: {ex.Message.Split(" (Parameter", 2)[0]}");
            return null;
        }
    }

    private PolicyNode? ReadStream()
    {
        Next(); // StreamStart
        Next();
        if (Current is StreamEnd) return null;
        Next(); // DocumentStart
        var root = ReadNode("", 0);
        Next(); // DocumentEnd
        if (Current is DocumentStart)
        {
            errors.Add(Position(Current.Start), "", "a policy is one document; remove this '---' and what follows, or split the file");
            throw errors.ToException();
        }

        return root;
    }

    private PolicyNode ReadNode(string path, int depth)
    {
        var start = Position(Current.Start);
        switch (Current)
        {
            case Scalar scalar:
                Next();
                CheckPrintable(scalar.Value, start, path);
                return new PolicyScalar(start, scalar.Value, IsNull(scalar));
            case AnchorAlias alias:
                Next();
                errors.Add(start, path, $"aliases (*{alias.Value}) are not supported in a policy; write the value out");
                return new PolicyScalar(start, "", IsNull: true);
            case SequenceStart:
                EnterCollection(start, path, depth);
                var items = new List<PolicyNode>();
                while (Current is not SequenceEnd) items.Add(ReadNode(PolicyPath.Item(path, items.Count), depth + 1));
                Next();
                return new PolicySequence(start, items);
            case MappingStart:
                EnterCollection(start, path, depth);
                return ReadMapping(start, path, depth);
            default:
                throw new YamlException(Current.Start, Current.End, $"unexpected {Current.GetType().Name}");
        }
    }

    private PolicyMapping ReadMapping(PolicyPosition start, string path, int depth)
    {
        var entries = new List<KeyValuePair<PolicyScalar, PolicyNode>>();
        var seen = new Dictionary<string, PolicyPosition>(StringComparer.Ordinal);
        while (Current is not MappingEnd)
        {
            var key = ReadNode(path, depth + 1);
            var keyText = key is PolicyScalar s ? s.Value : "";
            var value = ReadNode(PolicyPath.Child(path, keyText), depth + 1);
            if (key is not PolicyScalar scalarKey)
            {
                errors.Add(key, path, $"a key must be a name, not {key.Description}");
            }
            else if (seen.TryGetValue(keyText, out var first))
            {
                // Which of two values wins differs between YAML and JSON libraries; a policy must mean one thing.
                errors.Add(key, PolicyPath.Child(path, keyText), $"duplicate key '{keyText}' (first at {first})");
            }
            else
            {
                seen[keyText] = key.Start;
                entries.Add(new(scalarKey, value));
            }
        }

        Next();
        return new PolicyMapping(start, entries);
    }

    private void EnterCollection(PolicyPosition start, string path, int depth)
    {
        if (depth >= MaxDepth)
        {
            errors.Add(start, path, $"nested more than {MaxDepth} levels deep; a policy needs four");
            throw errors.ToException();
        }

        Next();
    }

    private void Next()
    {
        try
        {
            if (!parser.MoveNext()) throw new YamlException(parser.Current?.End ?? Mark.Empty, parser.Current?.End ?? Mark.Empty, "unexpected end of input");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, with no position, on some malformed flow collections ("a: [1, 2\nb: 3").
            errors.Add(lastEnd, "", "not valid YAML or JSON from here on (an unclosed '[' or '{'?)");
            throw errors.ToException();
        }

        lastEnd = Position(Current.End);
    }

    private void CheckPrintable(string value, PolicyPosition at, string path)
    {
        // YAML forbids these, YamlDotNet lets them through; a control character (or a bidi override) makes a
        // policy read differently on screen from what it does.
        var bad = value.FirstOrDefault(c => (char.IsControl(c) && c is not ('\t' or '\n' or '\r')) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069');
        if (bad != default) errors.Add(at, path, $"contains the control character U+{(int)bad:X4}");
    }

    private static bool IsNull(Scalar scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty && scalar.Value is "" or "~" or "null" or "Null" or "NULL";

    private static PolicyPosition Position(Mark mark) => new((int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));
}
