using System.Text.Json;
using Airlock.Core.Network;

namespace Airlock.Integration.Tests.Egress;

/// <summary>
/// One test internet and one data directory for the egress tests, with the CLI as a user runs it (embedded engine:
/// <c>airlock create</c> exits while the sandbox and its gateway live on). Removes every sandbox it created.
/// </summary>
public sealed class EgressSession : IAsyncLifetime
{
    private readonly TempDataDir _data = new();
    private readonly List<string> _sandboxes = [];
    private TestInternet? _internet;

    internal TestInternet Internet => _internet ?? throw new InvalidOperationException("not started");

    internal string DataDirectory => _data.Path;

    public async Task InitializeAsync() => _internet = await TestInternet.StartAsync();

    internal async Task<string> CreateAsync(string policy, string isolation = "container", IDictionary<string, string>? env = null)
    {
        var file = Path.Combine(_data.Path, $"policy-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, policy);
        var environment = Internet.GatewayEnvironment;
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) environment[k] = v;
        var created = await Cli.RunAsync(_data.Path, ["create", "--isolation", isolation, "--policy", file], environment, TimeSpan.FromMinutes(3));
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Stdout.Trim();
        _sandboxes.Add(id);
        return id;
    }

    /// <summary>Runs a shell script in the sandbox; output as <c>name=exit first-line</c> lines is parsed by <see cref="Results"/>.</summary>
    internal async Task<CliResult> ShAsync(string id, string script) =>
        await Cli.RunAsync(_data.Path, ["exec", "--timeout", "120s", id, "--", "bash", "-c", script], null, TimeSpan.FromMinutes(3));

    internal Task<CliResult> CopyInAsync(string id, string hostPath, string path) => Cli.RunAsync(_data.Path, "cp", hostPath, $"{id}:{path}");

    internal async Task<CliResult> WriteFileAsync(string id, string path, string content)
    {
        var file = Path.Combine(_data.Path, $"file-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, content);
        return await CopyInAsync(id, file, path);
    }

    /// <summary>A step of a script: runs the command, prints <c>NAME=EXIT OUTPUT</c> on one line.</summary>
    internal const string StepFunction =
        "step() { n=$1; shift; \"$@\" >/tmp/step.out 2>&1; code=$?; echo \"$n=$code $(head -c 300 /tmp/step.out | tr '\\n' ' ')\"; }\n" +
        "noproxy() { env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy \"$@\"; }\n";

    internal static Dictionary<string, (int Exit, string Output)> Results(CliResult result)
    {
        var results = new Dictionary<string, (int, string)>();
        foreach (var line in result.Stdout.Split('\n'))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) continue;
            var rest = line[(eq + 1)..];
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            if (int.TryParse(space < 0 ? rest : rest[..space], out var code)) results[line[..eq]] = (code, space < 0 ? "" : rest[(space + 1)..]);
        }

        return results;
    }

    internal async Task<IReadOnlyList<JsonElement>> AuditAsync(string id)
    {
        var query = await Cli.RunAsync(_data.Path, "audit", "query", "--sandbox", id, "--json");
        Assert.True(query.ExitCode == 0, query.ToString());
        using var doc = JsonDocument.Parse(query.Stdout);
        return [.. doc.RootElement.EnumerateArray().Select(e => e.GetProperty("event").Clone())];
    }

    internal async Task RemoveAsync(string id)
    {
        var removed = await Cli.RunAsync(_data.Path, "rm", id);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        _sandboxes.Remove(id);
    }

    internal NetworkLease? Lease(string id) => NetworkLeasePool.Find(id, _data.Path);

    public async Task DisposeAsync()
    {
        foreach (var id in _sandboxes) await Cli.RunAsync(_data.Path, "rm", id);
        if (_internet is not null) await _internet.DisposeAsync();
        _data.Dispose();
    }
}
