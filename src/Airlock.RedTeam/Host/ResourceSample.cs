namespace Airlock.RedTeam.Host;

/// <summary>One reading of the host while a resource attack runs.</summary>
internal sealed record ResourceSample(
    long? CgroupPids, long? CgroupMemory, long? HostTasks, long? HostMemAvailable, long? EngineRss, long? HostOpenFiles, int MaxProcessFds,
    long? PidsLimit, long? MemoryLimit);
