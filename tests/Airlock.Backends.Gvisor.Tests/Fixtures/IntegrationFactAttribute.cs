namespace Airlock.Backends.Gvisor.Tests.Fixtures;

/// <summary>A fact that needs a real runsc, root, a rootfs and the published agent; skipped with the reason only where the host cannot run the tier.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class IntegrationFactAttribute : FactAttribute
{
    public IntegrationFactAttribute()
    {
        if (TestHost.SkipReason is { } reason)
        {
            Skip = reason;
        }

        Timeout = 180_000;
    }
}
