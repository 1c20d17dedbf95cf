using System.Text.Json.Serialization;

namespace Airlock.Guest.Protocol;

/// <summary>Source-generated JSON metadata for every protocol message: no reflection, NativeAOT and trim safe.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(GuestRequest))]
[JsonSerializable(typeof(GuestHello))]
[JsonSerializable(typeof(GuestExit))]
[JsonSerializable(typeof(GuestError))]
[JsonSerializable(typeof(GuestOk))]
[JsonSerializable(typeof(GuestResize))]
[JsonSerializable(typeof(FileEntry))]
[JsonSerializable(typeof(List<FileEntry>))]
[JsonSerializable(typeof(ProcessInfo))]
[JsonSerializable(typeof(List<ProcessInfo>))]
public sealed partial class GuestJsonContext : JsonSerializerContext;
