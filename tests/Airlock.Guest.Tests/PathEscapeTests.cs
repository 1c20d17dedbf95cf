namespace Airlock.Guest.Tests;

/// <summary>
/// The security boundary: no path, symlink or race may make the agent read or write a file outside
/// the sandbox root. Every test checks both the error kind and that the outside file was untouched.
/// </summary>
public abstract class PathEscapeCases : IDisposable
{
    private const string Secret = "TOP-SECRET-HOST-CONTENT";
    private readonly AgentFixture _agent;
    private readonly string _secretFile;

    protected PathEscapeCases(AgentFixture agent)
    {
        _agent = agent;
        _secretFile = Path.Combine(agent.Outside, "secret.txt");
        File.WriteAllText(_secretFile, Secret);
        Link("/abs-file", _secretFile);                 // absolute symlink to a host file
        Link("/abs-dir", agent.Outside);                // absolute symlink to a host directory
        Link("/rel-dir", "../outside");                 // relative symlink climbing out of the root
        Link("/workspace/up", "../../..");              // relative "../../.." from deep inside
        Link("/workspace/rel-file", "../../outside/secret.txt");
        Link("/proc-self", "/proc/self/root");          // the magic-link route to the host's /
    }

    public static TheoryData<string> EscapingPaths => new()
    {
        "/abs-file",
        "/abs-dir/secret.txt",
        "/rel-dir/secret.txt",
        "/workspace/up/outside/secret.txt",
        "/workspace/rel-file",
        "/proc-self/etc/hostname",
    };

    public static TheoryData<string> LexicallyBadPaths => new()
    {
        "../outside/secret.txt",
        "/a/../../outside/secret.txt",
        "/workspace/../../outside/secret.txt",
        "/..",
    };

    [Theory]
    [MemberData(nameof(LexicallyBadPaths))]
    public async Task Read_WithDotDot_IsRefusedBeforeTouchingDisk(string path)
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.ReadFileAsync(path));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("must be absolute and must not contain '..'", e.Message);
    }

    [Theory]
    [MemberData(nameof(LexicallyBadPaths))]
    public async Task Write_WithDotDot_IsRefusedAndCreatesNothing(string path)
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.WriteFileAsync(path, Content()));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
        AssertOutsideUntouched();
    }

    [Theory]
    [MemberData(nameof(EscapingPaths))]
    public async Task Read_ThroughASymlinkLeavingTheRoot_IsRefusedAndReturnsNoContent(string path)
    {
        string? content = null;
        var e = await Assert.ThrowsAsync<AirlockException>(async () =>
        {
            await using Stream s = await _agent.Client.ReadFileAsync(path);
            content = await new StreamReader(s).ReadToEndAsync();
        });
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
        Assert.Null(content);
        Assert.DoesNotContain(Secret, e.Message);
    }

    [Theory]
    [MemberData(nameof(EscapingPaths))]
    public async Task Write_ThroughASymlinkLeavingTheRoot_IsRefusedAndLeavesTheHostFileAlone(string path)
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.WriteFileAsync(path, Content()));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("leaves the sandbox root", e.Message);
        AssertOutsideUntouched();
    }

    [Theory]
    [InlineData("/abs-dir/new.txt")]
    [InlineData("/rel-dir/new.txt")]
    [InlineData("/workspace/up/outside/new.txt")]
    public async Task Write_ANewFileUnderAnEscapingDirectoryLink_CreatesNothingOutside(string path)
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.WriteFileAsync(path, Content()));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
        AssertOutsideUntouched();
    }

    [Theory]
    [InlineData("/abs-dir")]
    [InlineData("/rel-dir")]
    public async Task ListMkdirRemoveAndTar_ThroughEscapingLinks_AreRefused(string link)
    {
        await AssertInvalid(() => _agent.Client.ListFilesAsync(link));
        await AssertInvalid(() => _agent.Client.MakeDirectoryAsync(link + "/made", parents: true));
        await AssertInvalid(() => _agent.Client.MakeDirectoryAsync(link + "/made", parents: false));
        await AssertInvalid(() => _agent.Client.RemoveAsync(link + "/secret.txt", recursive: false));
        await AssertInvalid(() => _agent.Client.StatAsync(link + "/secret.txt"));
        await AssertInvalid(() => _agent.Client.DownloadTarAsync(link + "/secret.txt"));
        await AssertInvalid(() => _agent.Client.UploadTarAsync(link, new MemoryStream(new byte[1024])));
        AssertOutsideUntouched();
    }

    [Fact]
    public async Task Stat_OfAnEscapingLink_DescribesTheLinkWithoutFollowingIt()
    {
        FileEntry entry = await _agent.Client.StatAsync("/abs-file");
        Assert.Equal(FileKind.Symlink, entry.Kind);
        Assert.Equal(_secretFile, entry.LinkTarget);
    }

    [Fact]
    public async Task Remove_OfAnEscapingDirectoryLink_RemovesOnlyTheLink()
    {
        Link("/doomed-link", _agent.Outside);
        await _agent.Client.RemoveAsync("/doomed-link", recursive: true);
        Assert.False(Path.Exists(_agent.HostPath("/doomed-link")));
        AssertOutsideUntouched();
    }

    [Fact]
    public async Task ExecCwd_WithDotDot_IsRefused()
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => ExecCapture.RunAsync(_agent.Client, new ExecRequest { Command = ["pwd"], Cwd = "/workspace/../.." }));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
    }

    public void Dispose()
    {
        foreach (string name in new[] { "/abs-file", "/abs-dir", "/rel-dir", "/workspace/up", "/workspace/rel-file", "/proc-self" })
        {
            File.Delete(_agent.HostPath(name));
        }

        GC.SuppressFinalize(this);
    }

    private static MemoryStream Content() => new("pwned"u8.ToArray());

    private static async Task AssertInvalid(Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<AirlockException>(action);
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
    }

    private void Link(string sandboxPath, string target)
    {
        string host = _agent.HostPath(sandboxPath);
        if (!Path.Exists(host) && !File.Exists(host))
        {
            File.CreateSymbolicLink(host, target);
        }
    }

    private void AssertOutsideUntouched()
    {
        Assert.Equal(Secret, File.ReadAllText(_secretFile));
        Assert.Equal(["secret.txt"], Directory.GetFileSystemEntries(_agent.Outside).Select(Path.GetFileName));
        Assert.False(File.Exists(Path.Combine(_agent.Base, "new.txt")));
    }
}

public sealed class PathEscapeTests(AgentFixture agent) : PathEscapeCases(agent), IClassFixture<AgentFixture>;

/// <summary>The same escapes against the agent's own resolver (kernels without openat2, such as gVisor's).</summary>
public sealed class PathEscapeTests_WithoutOpenat2(AgentWithoutOpenat2Fixture agent) : PathEscapeCases(agent), IClassFixture<AgentWithoutOpenat2Fixture>;
