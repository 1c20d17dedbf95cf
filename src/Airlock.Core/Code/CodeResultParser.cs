using System.Text.Json;

namespace Airlock.Core.Code;

/// <summary>Reads the one JSON line the driver prints for a cell (the field names of <see cref="CodeResult"/>, camelCase).</summary>
internal static class CodeResultParser
{
    public static CodeResult Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new CodeResult
        {
            Stdout = StringOf(root, "stdout") ?? "",
            Stderr = StringOf(root, "stderr") ?? "",
            Text = StringOf(root, "text"),
            Outputs = root.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Array
                ? [.. outputs.EnumerateArray().Select(OutputOf)]
                : [],
            Error = root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object ? ErrorOf(error) : null,
            ExecutionCount = root.TryGetProperty("executionCount", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt32() : 0,
        };
    }

    private static CodeOutput OutputOf(JsonElement output)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (output.TryGetProperty("data", out var bundle) && bundle.ValueKind == JsonValueKind.Object)
        {
            foreach (var item in bundle.EnumerateObject())
            {
                if (item.Value.ValueKind == JsonValueKind.String) data[item.Name] = item.Value.GetString()!;
            }
        }

        return new CodeOutput { Kind = StringOf(output, "kind") ?? "display_data", Data = data };
    }

    private static CodeError ErrorOf(JsonElement error)
    {
        var traceback = error.TryGetProperty("traceback", out var lines) && lines.ValueKind == JsonValueKind.Array
            ? lines.EnumerateArray().Where(l => l.ValueKind == JsonValueKind.String).Select(l => l.GetString()!).ToList()
            : [];
        return new CodeError(StringOf(error, "name") ?? "Error", StringOf(error, "value") ?? "", traceback);
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
