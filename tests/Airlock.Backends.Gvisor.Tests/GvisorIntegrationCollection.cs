namespace Airlock.Backends.Gvisor.Tests;

/// <summary>Real-runsc tests run one at a time: two cores, and OOM / fork-bomb tests must not skew each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GvisorIntegrationCollection
{
    public const string Name = "gvisor";
}
