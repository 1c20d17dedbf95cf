using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Airlock.Artifacts;
using Airlock.Client.Wire;

namespace Airlock.Server.Tests;

/// <summary>The artifact routes over real files in the fixture's data directory.</summary>
public sealed class ArtifactRouteTests
{
    [Fact]
    public async Task Put_ThenGet_RoundTripsByteExact_WithDigestMediaTypeAndName()
    {
        await using var server = await ServerFixture.StartAsync();
        var bytes = Encoding.UTF8.GetBytes("hello, artifact\n\0\xff");
        var info = await PutAsync(server, bytes, "text/plain", "greeting.txt");
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), info.Digest);
        Assert.Equal(bytes.Length, info.Size);
        Assert.Equal("text/plain", info.MediaType);
        Assert.Equal("greeting.txt", info.Name);
        Assert.False(string.IsNullOrEmpty(info.ManifestSignature));

        using var response = await server.Http.GetAsync($"/v1/artifacts/{info.Digest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());

        var manifest = await server.Client.Artifacts.GetInfoAsync(info.Digest);
        Assert.Equal(info, manifest);
        Assert.True(File.Exists(Path.Combine(ArtifactDirectory(server), Hex(info) + ".manifest.json")));
    }

    [Fact]
    public async Task Put_SameBytesTwice_ReturnsTheSameManifest()
    {
        await using var server = await ServerFixture.StartAsync();
        var first = await PutAsync(server, [1, 2, 3], null, "first");
        var second = await PutAsync(server, [1, 2, 3], "text/plain", "second");
        Assert.Equal(first, second);
        Assert.Single(await server.Client.Artifacts.ListAsync());
    }

    [Fact]
    public async Task Get_ContentChangedOnDisk_IsRefusedWithTheHashItNowHas()
    {
        await using var server = await ServerFixture.StartAsync();
        var info = await PutAsync(server, Encoding.UTF8.GetBytes("the original report"), "text/plain", null);
        var content = Path.Combine(ArtifactDirectory(server), Hex(info));
        File.SetUnixFileMode(content, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(content, "the forged report!!");
        var forged = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("the forged report!!")));

        using var response = await server.Http.GetAsync($"/v1/artifacts/{info.Digest}");
        var detail = await ProblemAssert.IsProblemAsync(response, 409, $"artifact {info.Digest} failed verification");
        Assert.Contains($"its content hashes to {forged}, it was changed after it was stored", detail, StringComparison.Ordinal);

        var e = await Assert.ThrowsAsync<AirlockException>(() => server.Client.GetArtifactAsync(info.Digest));
        Assert.Equal(AirlockErrorKind.Conflict, e.Kind);
    }

    [Fact]
    public async Task Get_ManifestEditedOnDisk_IsRefused()
    {
        await using var server = await ServerFixture.StartAsync();
        var info = await PutAsync(server, [9, 9, 9], "application/json", "plan.json");
        var manifest = Path.Combine(ArtifactDirectory(server), Hex(info) + ".manifest.json");
        var text = await File.ReadAllTextAsync(manifest);
        await File.WriteAllTextAsync(manifest, text.Replace("plan.json", "approved-plan.json", StringComparison.Ordinal));

        using var response = await server.Http.GetAsync($"/v1/artifacts/{info.Digest}");
        await ProblemAssert.IsProblemAsync(response, 409, "manifest's signature does not verify");
        using var manifestResponse = await server.Http.GetAsync($"/v1/artifacts/{info.Digest}/manifest");
        await ProblemAssert.IsProblemAsync(manifestResponse, 409, "changed after it was stored");
        Assert.Empty(await server.Client.Artifacts.ListAsync());
    }

    [Fact]
    public async Task Put_OriginalBytesAgain_RepairsATamperedEntry()
    {
        await using var server = await ServerFixture.StartAsync();
        byte[] original = [1, 2, 3, 4];
        var info = await PutAsync(server, original, null, "x");
        var content = Path.Combine(ArtifactDirectory(server), Hex(info));
        File.SetUnixFileMode(content, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllBytesAsync(content, [6, 6, 6, 6]);

        var repaired = await PutAsync(server, original, null, "x");
        Assert.Equal(info.Digest, repaired.Digest);
        using var response = await server.Http.GetAsync($"/v1/artifacts/{info.Digest}");
        Assert.Equal(original, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Routes_AreInTheOpenApiDocument_AndNeedTheToken()
    {
        await using var server = await ServerFixture.StartAsync();
        var document = await server.Http.GetStringAsync("/openapi/v1.json");
        Assert.Contains("\"/v1/artifacts/{digest}\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/v1/artifacts/{digest}/manifest\"", document, StringComparison.Ordinal);
        using var response = await server.Anonymous.GetAsync("/v1/artifacts");
        await ProblemAssert.IsProblemAsync(response, 401, "bearer token");
    }

    [Theory]
    [InlineData("sha256:abc", "3 hex digits")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", "63 hex digits")]
    [InlineData("sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "'g'")]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "lowercase")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e", "not an artifact digest")]
    public async Task Get_BadDigest_Is400(string digest, string detail)
    {
        await using var server = await ServerFixture.StartAsync();
        using var response = await server.Http.GetAsync($"/v1/artifacts/{Uri.EscapeDataString(digest)}");
        await ProblemAssert.IsProblemAsync(response, 400, detail);
    }

    [Fact]
    public async Task Get_Unknown_Is404_AndDeleteRemoves()
    {
        await using var server = await ServerFixture.StartAsync();
        var unknown = "sha256:" + new string('0', 64);
        using (var response = await server.Http.GetAsync($"/v1/artifacts/{unknown}"))
        {
            await ProblemAssert.IsProblemAsync(response, 404, "no artifact");
        }

        var info = await PutAsync(server, [4, 2], null, null);
        Assert.Equal("application/octet-stream", info.MediaType);
        await server.Client.Artifacts.DeleteAsync(info.Digest);
        using (var response = await server.Http.GetAsync($"/v1/artifacts/{info.Digest}"))
        {
            await ProblemAssert.IsProblemAsync(response, 404, "no artifact");
        }

        Assert.False(File.Exists(Path.Combine(ArtifactDirectory(server), Hex(info))));
    }

    [Fact]
    public async Task TenMegabytes_RoundTripThroughTheSdk()
    {
        await using var server = await ServerFixture.StartAsync();
        var bytes = RandomNumberGenerator.GetBytes(10 * 1024 * 1024 + 7);
        var info = await server.Client.PutArtifactAsync(new MemoryStream(bytes), "application/x-tar", "big.tar");
        Assert.Equal(bytes.Length, info.Size);

        await using var download = await server.Client.GetArtifactAsync(info.Digest);
        using var copy = new MemoryStream();
        await download.CopyToAsync(copy);
        Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()));
    }

    [Fact]
    public async Task Put_OverTheLimit_Is413()
    {
        await using var server = await ServerFixture.StartAsync(o => o with { MaxArtifactBytes = 1024 });
        using var response = await server.Http.PutAsync("/v1/artifacts", new ByteArrayContent(new byte[2048]));
        await ProblemAssert.IsProblemAsync(response, 413, "limit of 1");
        Assert.Empty(await server.Client.Artifacts.ListAsync());
    }

    [Fact]
    public async Task SigningKey_IsOwnerOnly()
    {
        await using var server = await ServerFixture.StartAsync();
        await PutAsync(server, [1], null, null);
        var key = Path.Combine(Path.GetDirectoryName(server.TokenPath)!, "artifact-signing.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
    }

    private static async Task<ArtifactInfo> PutAsync(ServerFixture server, byte[] bytes, string? mediaType, string? name)
    {
        var content = new ByteArrayContent(bytes);
        if (mediaType is not null) content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        var query = name is null ? "" : "?name=" + Uri.EscapeDataString(name);
        using var response = await server.Http.PutAsync("/v1/artifacts" + query, content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonSerializer.Deserialize<ArtifactInfo>(await response.Content.ReadAsStringAsync(), AirlockJson.Options)!;
    }

    private static string ArtifactDirectory(ServerFixture server) => Path.Combine(Path.GetDirectoryName(server.TokenPath)!, "artifacts", "sha256");

    private static string Hex(ArtifactInfo info) => info.Digest["sha256:".Length..];
}
