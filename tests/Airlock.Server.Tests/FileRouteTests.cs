using System.Net;
using System.Security.Cryptography;

namespace Airlock.Server.Tests;

public sealed class FileRouteTests
{
    [Fact]
    public async Task FiftyMegabytes_RoundTripThroughClient_ByteExact()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var sandbox = await server.Client.CreateSandboxAsync();
        var content = new byte[50 << 20];
        new Random(7).NextBytes(content);

        var written = await sandbox.Files.WriteAsync("/workspace/big.bin", new MemoryStream(content), mode: 0x180);
        Assert.Equal(content.Length, written.Size);
        Assert.Equal(0x180, written.Mode);

        await using var stream = await sandbox.Files.ReadAsync("/workspace/big.bin");
        var hash = await SHA256.HashDataAsync(stream);
        Assert.Equal(SHA256.HashData(content), hash);
    }

    [Fact]
    public async Task UploadOverCap_Is413()
    {
        await using var server = await ServerFixture.StartAsync(o => o with { MaxUploadBytes = 1 << 20 });
        var sandbox = await server.Client.Operations.CreateAsync(new SandboxSpec());
        using var response = await server.Http.PutAsync($"/v1/sandboxes/{sandbox.Id}/files?path=/a", new ByteArrayContent(new byte[2 << 20]));
        await ProblemAssert.IsProblemAsync(response, 413, "larger than");
    }

    [Fact]
    public async Task TextHelpers_ListStatMkdirRemove()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var sandbox = await server.Client.CreateSandboxAsync();
        await sandbox.Files.WriteAsync("/w/a.txt", "héllo");
        Assert.Equal("héllo", await sandbox.Files.ReadTextAsync("/w/a.txt"));
        Assert.Equal(FileKind.File, (await sandbox.Files.StatAsync("/w/a.txt")).Kind);
        Assert.Equal("a.txt", Assert.Single(await sandbox.Files.ListAsync("/w")).Name);
        Assert.Equal(FileKind.Directory, (await sandbox.Files.MakeDirectoryAsync("/w/d")).Kind);
        await sandbox.Files.RemoveAsync("/w/a.txt");
        var e = await Assert.ThrowsAsync<AirlockException>(() => sandbox.Files.StatAsync("/w/a.txt"));
        Assert.Equal(AirlockErrorKind.NotFound, e.Kind);
        var missing = await Assert.ThrowsAsync<AirlockException>(() => sandbox.Files.ReadAsync("/w/a.txt"));
        Assert.Equal(AirlockErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task Tar_UploadAndDownload()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var sandbox = await server.Client.CreateSandboxAsync();
        await sandbox.Files.UploadTarAsync("/w", new MemoryStream([9, 8, 7]));
        await using var tar = await sandbox.Files.DownloadTarAsync("/w");
        using var copy = new MemoryStream();
        await tar.CopyToAsync(copy);
        Assert.Equal([9, 8, 7], copy.ToArray());
    }

    [Theory]
    [InlineData("/files", 400, "'path'")]
    [InlineData("/files?path=relative/a", 400, "absolute")]
    [InlineData("/files/stat?path=/a&x=1", 404, "no such file")]
    public async Task FileQuery_Mistakes_AreProblems(string route, int status, string detail)
    {
        await using var server = await ServerFixture.StartAsync();
        var sandbox = await server.Client.Operations.CreateAsync(new SandboxSpec());
        using var response = await server.Http.GetAsync($"/v1/sandboxes/{sandbox.Id}{route}");
        await ProblemAssert.IsProblemAsync(response, status, detail);
    }

    [Fact]
    public async Task BadMode_Is400()
    {
        await using var server = await ServerFixture.StartAsync();
        var sandbox = await server.Client.Operations.CreateAsync(new SandboxSpec());
        using var response = await server.Http.PutAsync($"/v1/sandboxes/{sandbox.Id}/files?path=/a&mode=999", new ByteArrayContent([1]));
        await ProblemAssert.IsProblemAsync(response, 400, "'mode'");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
