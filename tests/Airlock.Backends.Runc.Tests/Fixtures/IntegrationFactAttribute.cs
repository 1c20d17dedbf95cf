namespace Airlock.Backends.Runc.Tests.Fixtures;

/// <summary>A fact that needs a real runc, root and a rootfs; skipped with the reason only where the host cannot run the tier.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class IntegrationFactAttribute : FactAttribute
{
    public IntegrationFactAttribute()
    {
        if (TestHost.SkipReason is { } reason)
        {
            Skip = reason;
        }

        Timeout = 120_000;
    }
}
