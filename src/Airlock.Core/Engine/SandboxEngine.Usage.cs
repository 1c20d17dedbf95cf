using Airlock.Core.Backends;

namespace Airlock.Core.Engine;

public sealed partial class SandboxEngine
{
    /// <summary>The sandbox's resource use as its host cgroups count it; null when its tier cannot measure it.</summary>
    public async Task<ResourceUsage?> ReadUsageAsync(string id, CancellationToken cancellationToken = default)
    {
        var info = await RequireRunningAsync(id, cancellationToken);
        return await BackendFor(info).ReadUsageAsync(id, cancellationToken);
    }
}
