using Airlock.Core.Policy;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>
/// The policy parser over generated YAML and JSON: valid documents cut at every kind of point, characters flipped,
/// hostile values in every section, anchors, deep nesting. Each input parses or is refused with an
/// <see cref="AirlockException"/> a person can read — never another exception (which the daemon would answer with a 500).
/// </summary>
public sealed class PolicyParserFuzzTests
{
    private const string Valid = """
        isolation: { minimum: gvisor }
        limits:    { cpus: 1, memory: 512m, pids: 256, disk: 1g, timeout: 10m, egress_rate: 10mbit, exec_rate: 60/1m }
        network:
          allow: [ "pypi.org", "*.pythonhosted.org", "api.stripe.com:443" ]
        secrets:
          STRIPE_KEY: { from: env:STRIPE_KEY, hosts: [ "api.stripe.com" ] }
        files:
          - { path: /workspace, access: read-write }
          - { path: /data,      access: read-only }
        tools:
          deny:     [ "rm -rf /*" ]
          approval: [ "git push *", "network:new-host", "files:delete:/workspace/**" ]
        anomalies:
          - { when: "egress_denied > 20 in 1m", then: pause }
        """;

    [Fact]
    public void GeneratedPolicies_ParseOrAreRefusedWithAReadableError_NeverAnotherException()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("AIRLOCK_FUZZ_SEED"), out var s) ? s : Environment.TickCount & 0xffff;
        var fuzz = new FuzzValues(seed);
        var random = new Random(seed);
        int parsed = 0, refused = 0;
        PolicyLoader.Load(Valid);
        for (var i = 0; i < 20_000; i++)
        {
            var text = random.Next(4) switch
            {
                0 => Valid[..random.Next(Valid.Length)],
                1 => Flip(Valid, random),
                2 => Valid.Replace(": ", random.Next(2) == 0 ? ":" : ": " + fuzz.JsonValue() + " #", StringComparison.Ordinal),
                _ => fuzz.PolicyText(),
            };
            try
            {
                PolicyLoader.Load(text, "p.yaml");
                parsed++;
            }
            catch (AirlockException e) when (e.Kind is AirlockErrorKind.InvalidArgument or AirlockErrorKind.TooLarge)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                refused++;
            }
            catch (Exception e) when (e is not AirlockException)
            {
                Assert.Fail($"seed {seed} #{i}: {e.GetType().Name}: {e.Message}\ninput: {(text.Length > 400 ? text[..400] : text)}");
            }
        }

        Console.WriteLine($"policy fuzz: seed {seed}, {parsed} parsed, {refused} refused");
        Assert.True(refused > 1000 && parsed > 10, $"the generator should reach both outcomes: {parsed} parsed, {refused} refused");
    }

    /// <summary>Found by the fuzzer (seed 52963): YamlDotNet threw ArgumentOutOfRangeException, which the daemon answered with a 500.</summary>
    [Theory]
    [InlineData("network: [ { path: \"\\uDA3B\\uDFCC\" } ]")]
    [InlineData("limits: \"\\uD800\"")]
    [InlineData("tools: { deny: [ \"\\uDC00\\uD800\" ] }")]
    public void SurrogateEscapes_AreRefusedAsInvalidYaml_NotAnInternalError(string text)
    {
        var e = Record.Exception(() => PolicyLoader.Load(text, "p.yaml"));
        if (e is null) return; // decoded into something valid: fine too
        var airlock = Assert.IsType<AirlockException>(e);
        Assert.Equal(AirlockErrorKind.InvalidArgument, airlock.Kind);
    }

    private const string FlipChars = "{}[]:,\"'#&*!|>-\0\t\n \\%@`";

    private static string Flip(string text, Random random)
    {
        var chars = text.ToCharArray();
        for (var n = random.Next(1, 6); n > 0; n--)
        {
            chars[random.Next(chars.Length)] = FlipChars[random.Next(FlipChars.Length)];
        }

        return new string(chars);
    }
}
