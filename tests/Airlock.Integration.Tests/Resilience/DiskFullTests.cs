using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>
/// The data directory on a 64 MB loop-mounted file system that runs full: creates, file writes, execs (audit appends),
/// token mints and policy writes are refused with a problem a person can act on (not a 500, no stack trace); once
/// space is freed the daemon carries on and its state and audit chain are intact.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class DiskFullTests
{
    [Fact]
    public async Task DataDirectoryFull_GivesClearErrors_AndAfterSpaceIsFreed_StateAndAuditChainAreIntact()
    {
        using var fs = new SmallFileSystem(64L << 20);
        var data = Path.Combine(fs.MountPoint, "data");
        var daemon = new DaemonProcess(data);
        string? filler = null;
        var stopped = false;
        try
        {
            await daemon.StartAsync();
            using var http = AdminApi.Client(daemon, TimeSpan.FromMinutes(2));
            var before = await CreateAsync(http);
            Assert.True(before.Status == HttpStatusCode.Created, before.Body);
            var id = before.Id!;
            Assert.Equal(HttpStatusCode.OK, (await ExecAsync(http, id, "echo before > /workspace/b")).Status);

            filler = fs.Fill();
            var answers = new List<(string What, HttpStatusCode Status, string Body)>();
            var create = await CreateAsync(http);
            answers.Add(("create", create.Status, create.Body));
            for (var i = 0; i < 5; i++)
            {
                var exec = await ExecAsync(http, id, $"echo {i}");
                answers.Add(("exec", exec.Status, exec.Body));
                using var put = await http.PutAsync($"/v1/sandboxes/{id}/files?path=/workspace/w{i}", new ByteArrayContent(new byte[256 << 10]));
                answers.Add(("write", put.StatusCode, await put.Content.ReadAsStringAsync()));
                using var token = await http.PostAsync("/v1/tokens", DaemonSession.Json("{\"scopes\":[\"sandbox:read\"]}"));
                answers.Add(("token", token.StatusCode, await token.Content.ReadAsStringAsync()));
                using var policy = await http.PutAsync($"/v1/policies/full{i}", new StringContent($"limits: {{ pids: {100 + i} }}"));
                answers.Add(("policy", policy.StatusCode, await policy.Content.ReadAsStringAsync()));
            }

            foreach (var line in answers) Console.WriteLine($"disk full: {line.What} -> {(int)line.Status} {Shorten(line.Body)}");
            if (answers.Any(a => a.Status == HttpStatusCode.InternalServerError)) Console.WriteLine("disk full: daemon log:\n" + daemon.RecentLog);
            Assert.False(daemon.HasExited, "the daemon died of a full disk");
            Assert.All(answers, a =>
            {
                // Exec's status line leaves before the command runs: a later failure is its stream's last line.
                Assert.True((int)a.Status < 500 || a.Status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.InsufficientStorage, $"{a.What}: {(int)a.Status} {a.Body}");
                Assert.DoesNotContain("\"status\":500", a.Body, StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", a.Body, StringComparison.Ordinal);
                if ((int)a.Status >= 400) Assert.Contains("\"detail\"", a.Body, StringComparison.Ordinal);
            });
            Assert.Contains(answers, a => (int)a.Status >= 400 || a.Body.Contains("\"type\":\"error\"", StringComparison.Ordinal));

            File.Delete(filler);
            filler = null;
            var verify = await http.GetFromJsonAsync<JsonElement>("/v1/audit/verify");
            Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());
            // A policy write refused on the full disk works again now (its table was first made while the disk was full).
            using (var policy = await http.PutAsync("/v1/policies/after-full", new StringContent("limits: { pids: 99 }")))
            {
                Assert.True(policy.IsSuccessStatusCode, $"{(int)policy.StatusCode} {await policy.Content.ReadAsStringAsync()}");
            }

            var after = await CreateAsync(http);
            Assert.True(after.Status == HttpStatusCode.Created, after.Body);
            var cat = await ExecAsync(http, id, "cat /workspace/b");
            Assert.Contains(Convert.ToBase64String("before\n"u8), cat.Body, StringComparison.Ordinal);
            var listed = await http.SandboxIdsAsync();
            Assert.Contains(id, listed);
            Assert.Contains(after.Id, listed);
            Assert.All(await http.DeleteSandboxesAsync(listed), d => Assert.Equal(HttpStatusCode.NoContent, d.Value));
            var pid = daemon.Pid;
            await daemon.DisposeAsync();
            stopped = true;
            var cli = await Cli.RunAsync(data, "audit", "verify");
            Assert.True(cli.ExitCode == 0, cli.Stdout + cli.Stderr);
            Assert.Empty(await HostLeftovers.FindSettledAsync(data, new HashSet<string>(), listed, pid));
        }
        finally
        {
            if (filler is not null) File.Delete(filler);
            // A failed assertion must not leave a sandbox mounted on the small file system (it could not be unmounted).
            if (!stopped)
            {
                if (!daemon.HasExited) await DeleteAllAsync(daemon);
                await daemon.DisposeAsync();
            }
        }
    }

    private static async Task DeleteAllAsync(DaemonProcess daemon)
    {
        using var http = AdminApi.Client(daemon, TimeSpan.FromMinutes(2));
        await http.DeleteSandboxesAsync(await http.SandboxIdsAsync());
    }

    private static async Task<(HttpStatusCode Status, string Body, string? Id)> CreateAsync(HttpClient http)
    {
        using var response = await http.PostAsync("/v1/sandboxes", DaemonSession.Json("{\"isolation\":\"container\",\"memory\":\"64m\",\"disk\":\"32m\"}"));
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body, response.StatusCode == HttpStatusCode.Created ? JsonDocument.Parse(body).RootElement.GetProperty("id").GetString() : null);
    }

    private static async Task<(HttpStatusCode Status, string Body)> ExecAsync(HttpClient http, string id, string script)
    {
        using var response = await http.PostAsync($"/v1/sandboxes/{id}/exec", DaemonSession.Json(JsonSerializer.Serialize(new { command = new[] { "sh", "-c", script } })));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] : text;
}
