using Airlock.Client;

namespace Airlock.Integration.Tests;

/// <summary>A test class on a real daemon of its own, with the admin's SDK client: started before, stopped after.</summary>
public abstract class DaemonClientTests : IAsyncLifetime
{
    private protected DaemonSession _session = null!;
    private protected AirlockClient _client = null!;

    public async Task InitializeAsync()
    {
        _session = await DaemonSession.StartAsync();
        _client = _session.AdminClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _session.DisposeAsync();
    }
}
