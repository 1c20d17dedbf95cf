using System.Globalization;
using System.Text.Json;

namespace Airlock.Server.Http;

/// <summary>
/// Typed reads of request-body fields that name the field in every error: a client that sends
/// <c>"memory": -5</c> learns which field and why, instead of getting a serializer's stack of types.
/// </summary>
internal static class JsonFields
{
    public static void RejectUnknown(JsonElement body, IReadOnlyCollection<string> known)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                throw AirlockException.Invalid($"unknown field '{property.Name}'; known fields are: {string.Join(", ", known)}");
            }
        }
    }

    public static bool TryGet(JsonElement body, string name, out JsonElement value) =>
        body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    public static string? String(JsonElement body, string name)
    {
        if (!TryGet(body, name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.String) throw Wrong(name, "a string", value);
        return value.GetString();
    }

    public static double? PositiveNumber(JsonElement body, string name)
    {
        if (!TryGet(body, name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number)) throw Wrong(name, "a number", value);
        if (!(number > 0) || double.IsInfinity(number)) throw AirlockException.Invalid($"'{name}' must be greater than 0, not {value.GetRawText()}");
        return number;
    }

    public static int? PositiveInt(JsonElement body, string name)
    {
        if (!TryGet(body, name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number)) throw Wrong(name, "a whole number", value);
        if (number <= 0) throw AirlockException.Invalid($"'{name}' must be greater than 0, not {number}");
        return number;
    }

    public static int? Int(JsonElement body, string name)
    {
        if (!TryGet(body, name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number)) throw Wrong(name, "a whole number", value);
        return number;
    }

    /// <summary>A size: bytes as a number, or a string like "512m".</summary>
    public static long? Size(JsonElement body, string name)
    {
        if (!TryGet(body, name, out var value)) return null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                if (!value.TryGetInt64(out var bytes)) throw Wrong(name, "a whole number of bytes or a size like \"512m\"", value);
                if (bytes <= 0) throw AirlockException.Invalid($"'{name}' must be greater than 0, not {bytes}");
                return bytes;
            case JsonValueKind.String:
                if (!Units.TryParseSize(value.GetString(), out var parsed, out var error)) throw AirlockException.Invalid($"'{name}': {error}");
                return parsed;
            default:
                throw Wrong(name, "a number of bytes or a size like \"512m\"", value);
        }
    }

    /// <summary>A duration: a string like "30s" or "5m", or seconds as a number.</summary>
    public static TimeSpan? Duration(JsonElement body, string name)
    {
        if (!TryGet(body, name, out var value)) return null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                var seconds = value.GetDouble();
                if (!Units.TryParseDuration(seconds.ToString(CultureInfo.InvariantCulture), out var fromNumber, out _))
                {
                    throw AirlockException.Invalid($"'{name}' must be a positive number of seconds or a duration like \"30s\", not {value.GetRawText()}");
                }

                return fromNumber;
            case JsonValueKind.String:
                if (!Units.TryParseDuration(value.GetString(), out var parsed, out var error)) throw AirlockException.Invalid($"'{name}': {error}");
                return parsed;
            default:
                throw Wrong(name, "a duration like \"30s\"", value);
        }
    }

    public static IReadOnlyDictionary<string, string>? StringMap(JsonElement body, string name)
    {
        if (!TryGet(body, name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Object) throw Wrong(name, "an object of string values", value);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw AirlockException.Invalid($"'{name}.{property.Name}' must be a string, not {Describe(property.Value)}");
            }

            if (property.Name.Length == 0) throw AirlockException.Invalid($"'{name}' has an empty key");
            map[property.Name] = property.Value.GetString()!;
        }

        return map;
    }

    public static IReadOnlyList<string>? StringList(JsonElement body, string name)
    {
        if (!TryGet(body, name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Array) throw Wrong(name, "an array of strings", value);
        var list = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw AirlockException.Invalid($"'{name}[{index}]' must be a string, not {Describe(item)}");
            list.Add(item.GetString()!);
            index++;
        }

        return list;
    }

    public static byte[]? Base64(JsonElement body, string name)
    {
        if (!TryGet(body, name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.String || !value.TryGetBytesFromBase64(out var bytes)) throw Wrong(name, "a base64 string", value);
        return bytes;
    }

    private static AirlockException Wrong(string name, string expected, JsonElement value) =>
        AirlockException.Invalid($"'{name}' must be {expected}, not {Describe(value)}");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string {Truncate(value.GetRawText())}",
        JsonValueKind.Number => $"the number {Truncate(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"{value.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Truncate(string text) => text.Length > 60 ? text[..57] + "..." : text;
}
