using System.Text.Json;

namespace Airlock.Server.Tests;

internal static class ProblemAssert
{
    /// <summary>Asserts an RFC 9457 body: type, title, status, and a detail containing <paramref name="detailContains"/>.</summary>
    public static async Task<string> IsProblemAsync(HttpResponseMessage response, int status, string detailContains)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        Assert.False(string.IsNullOrEmpty(root.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("title").GetString()));
        Assert.Equal(status, root.GetProperty("status").GetInt32());
        var detail = root.GetProperty("detail").GetString()!;
        Assert.Contains(detailContains, detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal); // no stack trace
        return detail;
    }
}
