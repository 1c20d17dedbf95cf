namespace Airlock.Integration.Tests;

/// <summary>
/// A policy's <c>files</c> rules, enforced by mounts inside real sandboxes on every tier: what a command running as
/// root inside meets, and what the files API (airlock cp) meets, since the guest agent works inside the same mounts.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class FilesPolicyTests : IDisposable
{
    /// <summary>
    /// /data is missing from the image (created empty), /usr/share/common-licenses has files, /data/out re-opens a
    /// path inside a read-only one, /etc/apt (a directory with content) and /etc/debian_version (a file) are hidden.
    /// </summary>
    private const string Policy = """
        files:
          - { path: /data, access: read-only }
          - { path: /data/out, access: read-write }
          - { path: /usr/share/common-licenses, access: read-only }
          - { path: /etc/apt, access: hidden }
          - { path: /etc/debian_version, access: hidden }
        """;

    private readonly TempDataDir _data = new();
    private readonly string _local = Directory.CreateTempSubdirectory("airlock-files-").FullName;

    [Theory]
    [MemberData(nameof(Tiers.All), MemberType = typeof(Tiers))]
    public async Task ReadOnlyAndHiddenPaths_HoldForRootInsideAndForTheFilesApi_OnEveryTier(string tier)
    {
        var policy = Path.Combine(_local, "policy.yaml");
        await File.WriteAllTextAsync(policy, Policy);
        var created = await Cli.RunAsync(_data.Path, ["create", "--isolation", tier, "--policy", policy], null, TimeSpan.FromMinutes(3));
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Stdout.Trim();
        try
        {
            var write = await Sh(id, "echo x > /data/f");
            Assert.NotEqual(0, write.ExitCode);
            Assert.Contains("Read-only file system", write.Stderr, StringComparison.Ordinal);
            var touch = await Sh(id, "touch /usr/share/common-licenses/planted");
            Assert.Contains("Read-only file system", touch.Stderr, StringComparison.Ordinal);

            // Reading is untouched, and so are writes next to the rules and in the re-opened path. (No ls: gVisor's
            // runsc 2022-12 fails statx with AT_NO_AUTOMOUNT, which coreutils uses, on every bind mount; see docs/policy.md.)
            var read = await Sh(id, "grep -q 'GNU GENERAL PUBLIC LICENSE' /usr/share/common-licenses/GPL-3 && echo readable; echo /data/*");
            Assert.True(read.ExitCode == 0, read.ToString());
            Assert.Equal("readable\n/data/out\n", read.Stdout);
            var beside = await Sh(id, "echo y > /data/out/f && echo z > /tmp/f && cat /data/out/f /tmp/f");
            Assert.True(beside.ExitCode == 0, beside.ToString());
            Assert.Equal("y\nz\n", beside.Stdout);

            // The files API writes inside the sandbox too: the same mount refuses it, as the caller's error.
            var source = Path.Combine(_local, "f.txt");
            await File.WriteAllTextAsync(source, "from the host\n");
            var upload = await Cli.RunAsync(_data.Path, "cp", source, $"{id}:/data/f");
            Assert.True(upload.ExitCode == 2, upload.ToString());
            Assert.Contains("Read-only file system", upload.Stderr, StringComparison.Ordinal);
            var uploadHidden = await Cli.RunAsync(_data.Path, "cp", source, $"{id}:/etc/apt/sources.list");
            Assert.True(uploadHidden.ExitCode == 2, uploadHidden.ToString());
            var uploadOut = await Cli.RunAsync(_data.Path, "cp", source, $"{id}:/data/out/g");
            Assert.True(uploadOut.ExitCode == 0, uploadOut.ToString());

            // Hidden: the image's content is not there, through exec or the files API, and cannot be written.
            var hidden = await Sh(id, "ls -A /etc/apt; wc -c < /etc/debian_version");
            Assert.True(hidden.ExitCode == 0, hidden.ToString());
            Assert.Equal("0\n", hidden.Stdout);
            var hiddenWrite = await Sh(id, "echo 13 > /etc/debian_version || mkdir /etc/apt/x");
            Assert.NotEqual(0, hiddenWrite.ExitCode);
            var download = await Cli.RunAsync(_data.Path, "cp", $"{id}:/etc/apt/sources.list", Path.Combine(_local, "sources.list"));
            Assert.True(download.ExitCode == 2, download.ToString());

            // Root inside cannot take the mounts back: no CAP_SYS_ADMIN in a container or gVisor; in the microVM, where
            // root holds every capability, the agent's seccomp filter refuses the mount API to every process.
            var undo = await Sh(id, "mount -o remount,rw /data && echo x > /data/f && echo remounted; umount /etc/apt && echo unmounted; umount -l /data && echo detached; grep -q deb /etc/apt/sources.list && echo revealed; echo done");
            Assert.True(undo.Stdout == "done\n", undo.ToString());
        }
        finally
        {
            var rm = await Cli.RunAsync(_data.Path, "rm", id);
            Assert.True(rm.ExitCode == 0, rm.ToString());
        }

        Assert.Empty(HostProbe.TracesOf(_data.Path, id));
    }

    [Fact]
    public async Task ARuleThatWouldCoverTheAgent_OrAnEarlierRule_IsRefusedNamingTheRule_AndCreatesNothing()
    {
        var policy = Path.Combine(_local, "bad.yaml");
        await File.WriteAllTextAsync(policy, "files:\n  - { path: /run, access: read-only }\n  - { path: /data/in, access: read-only }\n  - { path: /data, access: hidden }\n");
        var result = await Cli.RunAsync(_data.Path, "create", "--isolation", "container", "--policy", policy);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{policy}:2:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("/run/airlock", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{policy}:4:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("encloses '/data/in' (the rule at files[1])", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_data.Path, "sandboxes")) && Directory.EnumerateFileSystemEntries(Path.Combine(_data.Path, "sandboxes")).Any());
    }

    [Fact]
    public void ThePolicyChecks_ReserveExactlyTheAgentContractsPaths() =>
        Assert.Equal(["/.airlock", Oci.AgentContract.SocketDirectory], Core.Policy.FileRuleChecks.AgentPaths);

    private Task<CliResult> Sh(string id, string script) => Cli.RunAsync(_data.Path, "exec", id, "--", "sh", "-c", script);

    public void Dispose()
    {
        _data.Dispose();
        Directory.Delete(_local, recursive: true);
    }
}
