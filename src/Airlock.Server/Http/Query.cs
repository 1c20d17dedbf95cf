using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Airlock.Server.Http;

/// <summary>Query-string parameters, read by hand so that a bad value is a 400 naming the parameter.</summary>
internal static class Query
{
    public static string RequiredPath(HttpRequest request)
    {
        var path = request.Query["path"].ToString();
        if (path.Length == 0) throw AirlockException.Invalid("query parameter 'path' is required: an absolute path inside the sandbox, e.g. ?path=/workspace/a.txt");
        if (!path.StartsWith('/')) throw AirlockException.Invalid($"query parameter 'path' must be an absolute path inside the sandbox, not '{path}'");
        return path;
    }

    public static bool Bool(HttpRequest request, string name, bool fallback)
    {
        var text = request.Query[name].ToString();
        return text.ToLowerInvariant() switch
        {
            "" => fallback,
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw AirlockException.Invalid($"query parameter '{name}' must be true or false, not '{text}'"),
        };
    }

    /// <summary>Permission bits in octal, like 644 or 0755.</summary>
    public static int? Mode(HttpRequest request)
    {
        var text = request.Query["mode"].ToString();
        if (text.Length == 0) return null;
        var digits = text.StartsWith("0o", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (digits.Length == 0 || digits.Length > 5 || digits.Any(c => c is < '0' or > '7'))
        {
            throw AirlockException.Invalid($"query parameter 'mode' must be octal permission bits like 644 or 0755, not '{text}'");
        }

        var mode = Convert.ToInt32(digits, 8);
        if (mode > 0xFFF) throw AirlockException.Invalid($"query parameter 'mode' must be at most 7777, not '{text}'");
        return mode;
    }

    public static int Pid(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0
            ? pid
            : throw AirlockException.Invalid($"process id must be a positive whole number, not '{text}'");

    public static IReadOnlyDictionary<string, string>? Labels(HttpRequest request)
    {
        var values = request.Query["label"];
        if (values.Count == 0) return null;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in values)
        {
            var eq = pair?.IndexOf('=', StringComparison.Ordinal) ?? -1;
            if (eq <= 0) throw AirlockException.Invalid($"query parameter 'label' must be key=value, not '{pair}'");
            labels[pair![..eq]] = pair[(eq + 1)..];
        }

        return labels;
    }
}
