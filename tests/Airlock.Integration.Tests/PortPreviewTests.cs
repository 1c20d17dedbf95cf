using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Airlock.Client;

namespace Airlock.Integration.Tests;

/// <summary>Port previews through a real daemon: a real server inside a real sandbox, reached over the agent's relay.</summary>
[Collection(SandboxCollection.Name)]
public sealed class PortPreviewTests : DaemonClientTests
{
    [Fact]
    public async Task Preview_ServesTheSandboxesServer_WithTheToken_RefusesWithoutIt_AndIsGoneAfterCloseAndDestroy()
    {
        var sandbox = await Sandbox.CreateAsync(_client.Operations, new SandboxSpec { Isolation = "container" });
        try
        {
            await sandbox.Files.MakeDirectoryAsync("/workspace/site");
            await sandbox.Files.WriteAsync("/workspace/site/hello.txt", "hello from inside");
            await _client.Operations.StartProcessAsync(sandbox.Id, new ExecRequest
            {
                Command = ["python3", "-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory", "/workspace/site"],
            });

            var preview = await sandbox.ExposePortAsync(8000, TimeSpan.FromMinutes(10));
            Assert.StartsWith($"{_session.Daemon.Url}preview/", preview.Url);
            Assert.False(string.IsNullOrEmpty(preview.Token));
            using var http = new HttpClient();

            var served = await UntilServedAsync(http, preview.Url + "hello.txt", preview.Token!);
            Assert.Equal("hello from inside", served);

            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(preview.Url + "hello.txt")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await Get(http, preview.Url + "hello.txt", "alp_wrong")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await Get(http, preview.Url + "hello.txt", _session.Daemon.Token)).StatusCode);

            // A browser's first visit: the token in the query, then a cookie scoped to the preview.
            using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() });
            Assert.Equal("hello from inside", await browser.GetStringAsync(preview.Url + "hello.txt?airlock_token=" + preview.Token));
            Assert.Equal("hello from inside", await browser.GetStringAsync(preview.Url + "hello.txt"));

            var listed = Assert.Single(await _client.ListPortsAsync(sandbox.Id));
            Assert.Equal(8000, listed.Port);
            Assert.Null(listed.Token);
            Assert.True(listed.Requests >= 3);

            await sandbox.ClosePortAsync(8000);
            Assert.Equal(HttpStatusCode.NotFound, (await Get(http, preview.Url + "hello.txt", preview.Token!)).StatusCode);

            var again = await sandbox.ExposePortAsync(8000);
            Assert.Equal("hello from inside", await UntilServedAsync(http, again.Url + "hello.txt", again.Token!));
            await _client.Operations.DeleteAsync(sandbox.Id);
            var gone = await Get(http, again.Url + "hello.txt", again.Token!);
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

            var audit = await _session.Http.GetStringAsync($"/v1/audit?sandbox={sandbox.Id}&limit=1000");
            Assert.Contains("port.exposed", audit);
            Assert.Contains("port.closed", audit);
            Assert.Contains("preview.connection", audit);
        }
        finally
        {
            try
            {
                await _client.Operations.DeleteAsync(sandbox.Id);
            }
            catch (AirlockException e) when (e.Kind == AirlockErrorKind.NotFound)
            {
            }
        }
    }

    [Fact]
    public async Task Preview_OfAPortNothingListensOn_Is502NamingWhy_AndABadPortIs400()
    {
        await using var sandbox = await Sandbox.CreateAsync(_client.Operations, new SandboxSpec { Isolation = "container" });
        var preview = await sandbox.ExposePortAsync(8001);
        using var http = new HttpClient();
        var response = await Get(http, preview.Url, preview.Token!);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("nothing is listening on port 8001", await response.Content.ReadAsStringAsync());

        var bad = await _session.Http.PostAsync($"/v1/sandboxes/{sandbox.Id}/ports", DaemonSession.Json("{\"port\":70000}"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("between 1 and 65535", await bad.Content.ReadAsStringAsync());
        var missing = await _session.Http.PostAsync("/v1/sandboxes/nosuchsandbox1/ports", DaemonSession.Json("{\"port\":8000}"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static async Task<HttpResponseMessage> Get(HttpClient http, string url, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    /// <summary>The body once the server inside has started listening (a 502 until then).</summary>
    private static async Task<string> UntilServedAsync(HttpClient http, string url, string token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var response = await Get(http, url, token);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK) return body;
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("the server inside never answered: " + body);
            await Task.Delay(200);
        }
    }
}
