namespace Airlock.Core.Anomalies;

/// <summary>One reading of a sandbox's gauges (<see cref="AnomalyGauges"/>) at <paramref name="Time"/>.</summary>
public sealed record GaugeSample(string SandboxId, DateTimeOffset Time, IReadOnlyDictionary<string, double> Values);
