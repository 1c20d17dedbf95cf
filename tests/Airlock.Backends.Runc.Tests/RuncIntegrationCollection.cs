namespace Airlock.Backends.Runc.Tests;

/// <summary>Real-runc tests run one at a time: two cores, and OOM / fork-bomb tests must not skew each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RuncIntegrationCollection
{
    public const string Name = "runc";
}
