namespace Airlock.Integration.Tests;

/// <summary>One sandbox, created through the CLI, shared by the read-only checks of a test class.</summary>
public sealed class SharedSandboxFixture : IAsyncLifetime
{
    private readonly TempDataDir _data = new();

    public string DataDir => _data.Path;

    public string Id { get; private set; } = "";

    internal Task<CliResult> ExecAsync(params string[] command) =>
        Cli.RunAsync(DataDir, ["exec", Id, "--", .. command], null, TimeSpan.FromMinutes(2));

    public async Task InitializeAsync()
    {
        var created = await Cli.RunAsync(DataDir, "create", "--isolation", "container", "--timeout", "10m");
        if (created.ExitCode != 0) throw new InvalidOperationException("could not create the shared sandbox: " + created);
        Id = created.Stdout.Trim();
    }

    public async Task DisposeAsync()
    {
        if (Id.Length > 0) await Cli.RunAsync(DataDir, "rm", Id);
        _data.Dispose();
    }
}
