namespace Airlock.Server.Tests;

internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
