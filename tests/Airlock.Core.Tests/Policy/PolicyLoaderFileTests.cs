using Airlock.Core.Policy;
using Airlock.Policy;

namespace Airlock.Core.Tests.Policy;

public sealed class PolicyLoaderFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("airlock-policy-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void LoadFile_ReadsAYamlFile()
    {
        var path = Write("policy.yaml", PolicyExamples.DesignYaml);
        Assert.Equal(IsolationTier.Gvisor, PolicyLoader.LoadFile(path).Isolation.Minimum);
    }

    [Fact]
    public void LoadFile_ReadsAJsonFileWithAByteOrderMark()
    {
        var path = Path.Combine(directory, "policy.json");
        File.WriteAllText(path, PolicyExamples.DesignJson, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal(3, PolicyLoader.LoadFile(path).Network.Allow.Count);
    }

    [Fact]
    public void LoadFile_NamesTheFileInEachError()
    {
        var path = Write("bad.yaml", "limits:\n  memory: 5x\n  pids: 1\n");
        var lines = Assert.Throws<AirlockException>(() => PolicyLoader.LoadFile(path)).Message.Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.All(lines, line => Assert.StartsWith(path + ":", line, StringComparison.Ordinal));
    }

    [Fact]
    public void LoadFile_SaysWhenTheFileDoesNotExist()
    {
        var path = Path.Combine(directory, "missing.yaml");
        var error = Assert.Throws<AirlockException>(() => PolicyLoader.LoadFile(path));
        Assert.Equal(AirlockErrorKind.NotFound, error.Kind);
        Assert.Equal($"policy file '{path}' does not exist", error.Message);
    }

    [Fact]
    public void LoadFile_SaysWhenThePathIsADirectory() =>
        Assert.Contains("is a directory", Assert.Throws<AirlockException>(() => PolicyLoader.LoadFile(directory)).Message, StringComparison.Ordinal);

    [Fact]
    public void LoadFile_SaysWhenTheFileIsNotUtf8()
    {
        var path = Path.Combine(directory, "latin1.yaml");
        File.WriteAllBytes(path, [.. "name: caf"u8, 0xE9, (byte)'\n']);
        var error = Assert.Throws<AirlockException>(() => PolicyLoader.LoadFile(path));
        Assert.Equal(AirlockErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("not UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_RefusesAFilePastTheSizeLimitWithoutReadingItAll()
    {
        var path = Path.Combine(directory, "huge.yaml");
        using (var stream = File.Create(path)) stream.SetLength(64L << 20);
        var error = Assert.Throws<AirlockException>(() => PolicyLoader.LoadFile(path));
        Assert.Equal(AirlockErrorKind.TooLarge, error.Kind);
        Assert.StartsWith($"{path}: more than 1m", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_DoesNotTrustTheLengthADeviceReports() =>
        Assert.Equal(AirlockErrorKind.TooLarge, Assert.Throws<AirlockException>(() => PolicyLoader.LoadFile("/dev/zero")).Kind);

    private string Write(string name, string text)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
