using System.Text.Json.Serialization;

namespace Airlock.Core.Network;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(GatewayConfig))]
[JsonSerializable(typeof(GatewayReady))]
public sealed partial class GatewayConfigJson : JsonSerializerContext;
