using System.Text.Json.Serialization;

namespace Airlock.Core.Governance;

[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class GovernanceJson : JsonSerializerContext;
