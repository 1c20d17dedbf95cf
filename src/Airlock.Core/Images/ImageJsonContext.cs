using System.Text.Json;
using System.Text.Json.Serialization;

namespace Airlock.Core.Images;

/// <summary>image.json's format, source-generated so the store also works in trimmed and AOT builds.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(ImageInfo))]
internal sealed partial class ImageJsonContext : JsonSerializerContext;
