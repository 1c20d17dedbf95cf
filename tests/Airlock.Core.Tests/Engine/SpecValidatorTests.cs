using Airlock.Core.Engine;

namespace Airlock.Core.Tests.Engine;

public sealed class SpecValidatorTests
{
    [Fact]
    public void Validate_AcceptsTheDefaults() => SpecValidator.Validate(new SandboxSpec());

    [Theory]
    [InlineData("kvm")]
    [InlineData("")]
    [InlineData("Container")]
    public void Validate_RejectsAnUnknownIsolation(string isolation)
    {
        var error = Assert.Throws<AirlockException>(() => SpecValidator.Validate(new SandboxSpec { Isolation = isolation }));
        Assert.Contains("isolation", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1.0, null, null, null, "cpus")]
    [InlineData(0.0, null, null, null, "cpus")]
    [InlineData(1000.0, null, null, null, "cpus")]
    [InlineData(null, 1024L, null, null, "memory")]
    [InlineData(null, null, 0, null, "pids")]
    [InlineData(null, null, -3, null, "pids")]
    [InlineData(null, null, null, 4096L, "disk")]
    public void Validate_RejectsLimitsThatCannotWork_NamingTheField(double? cpus, long? memory, int? pids, long? disk, string field)
    {
        var spec = new SandboxSpec { Limits = new ResourceLimits { Cpus = cpus, MemoryBytes = memory, Pids = pids, DiskBytes = disk } };
        var error = Assert.Throws<AirlockException>(() => SpecValidator.Validate(spec));
        Assert.Equal(AirlockErrorKind.InvalidArgument, error.Kind);
        Assert.StartsWith(field, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1BAD")]
    [InlineData("A=B")]
    [InlineData("")]
    public void Validate_RejectsBadEnvNames(string name) =>
        Assert.Throws<AirlockException>(() => SpecValidator.Validate(new SandboxSpec { Env = new Dictionary<string, string> { [name] = "x" } }));

    [Fact]
    public void ValidateExec_RejectsAnEmptyCommand() =>
        Assert.Throws<AirlockException>(() => SpecValidator.ValidateExec(new ExecRequest { Command = [] }));

    [Theory]
    [InlineData("../../etc")]
    [InlineData("ABCDEF123456")]
    [InlineData("abc")]
    [InlineData("0123456789abc")]
    public void ValidateId_TreatsMalformedIdsAsUnknown(string id) =>
        Assert.Equal(AirlockErrorKind.NotFound, Assert.Throws<AirlockException>(() => SpecValidator.ValidateId(id)).Kind);
}
