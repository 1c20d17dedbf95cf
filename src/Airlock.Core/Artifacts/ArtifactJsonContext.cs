using System.Text.Json;
using System.Text.Json.Serialization;
using Airlock.Artifacts;

namespace Airlock.Core.Artifacts;

/// <summary>
/// The manifest file's format and the exact bytes that are signed. Source-generated, so the property order
/// (and so the signed bytes) is fixed by the record, not by reflection.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ArtifactInfo))]
[JsonSerializable(typeof(ArtifactManifest))]
internal sealed partial class ArtifactJsonContext : JsonSerializerContext;
