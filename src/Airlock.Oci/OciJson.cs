using System.Text.Json;
using System.Text.Json.Serialization;
using Airlock.Oci.Spec;

namespace Airlock.Oci;

/// <summary>Serialises a <see cref="RuntimeSpec"/> exactly as runtimes read config.json (camelCase, nulls omitted). Source-generated, so it works under NativeAOT.</summary>
public static class OciJson
{
    public static string Serialize(RuntimeSpec spec) => JsonSerializer.Serialize(spec, OciJsonContext.Default.RuntimeSpec);

    public static RuntimeSpec Deserialize(string json) =>
        JsonSerializer.Deserialize(json, OciJsonContext.Default.RuntimeSpec) ?? throw new JsonException("config.json is empty");

    /// <summary>Writes config.json atomically (temp file + rename) so a crash never leaves a torn spec in a bundle.</summary>
    public static async Task WriteConfigAsync(string bundleDirectory, RuntimeSpec spec, CancellationToken cancellationToken = default)
    {
        var target = Path.Combine(bundleDirectory, "config.json");
        var temp = target + ".tmp";
        await File.WriteAllTextAsync(temp, Serialize(spec), cancellationToken);
        File.Move(temp, target, overwrite: true);
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true,
    WriteIndented = true)]
[JsonSerializable(typeof(RuntimeSpec))]
[JsonSerializable(typeof(ContainerState))]
[JsonSerializable(typeof(List<ContainerState>))]
internal sealed partial class OciJsonContext : JsonSerializerContext;
