using System.Text.Json;
using System.Text.Json.Serialization;

namespace Airlock.Core.Doctor;

/// <summary>The JSON of <c>airlock doctor --json</c> (camelCase), source-generated so trimmed and AOT builds can write it.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(DoctorReport))]
public sealed partial class DoctorJsonContext : JsonSerializerContext;
