using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Airlock.Integration.Tests;

/// <summary>The admin calls the daemon harnesses share: a client with the admin token, the sandbox list, and deleting everything listed.</summary>
internal static class AdminApi
{
    /// <summary>An HTTP client of <paramref name="daemon"/> carrying its admin token; the caller disposes it.</summary>
    public static HttpClient Client(DaemonProcess daemon, TimeSpan timeout)
    {
        var http = new HttpClient { BaseAddress = daemon.Url, Timeout = timeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", daemon.Token);
        return http;
    }

    /// <summary>The id of every sandbox the daemon lists.</summary>
    public static async Task<List<string>> SandboxIdsAsync(this HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/v1/sandboxes")).GetProperty("sandboxes").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();

    /// <summary>DELETEs each of <paramref name="ids"/>; the status each got, so a harness can insist on 204s or only clean up.</summary>
    public static async Task<Dictionary<string, HttpStatusCode>> DeleteSandboxesAsync(this HttpClient http, IEnumerable<string> ids)
    {
        var statuses = new Dictionary<string, HttpStatusCode>();
        foreach (var id in ids.Distinct())
        {
            using var response = await http.DeleteAsync($"/v1/sandboxes/{id}");
            statuses[id] = response.StatusCode;
        }

        return statuses;
    }
}
