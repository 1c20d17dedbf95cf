using System.CommandLine;

namespace Airlock.Cli.Infrastructure;

/// <summary>The flags of <c>create</c> and <c>run</c> (DESIGN.md), and their translation into a <see cref="SandboxSpec"/>.</summary>
internal sealed class CreateFlags
{
    public Option<string> Image { get; } = new("--image") { Description = "Image name (default: python, built on first use)" };

    public Option<string> Isolation { get; } = new("--isolation") { Description = "auto | container | gvisor | microvm" };

    public Option<string> Cpus { get; } = new("--cpus") { Description = "CPU limit, e.g. 1 or 0.5" };

    public Option<string> Memory { get; } = new("--memory") { Description = "Memory limit, e.g. 512m, 2g" };

    public Option<string> Pids { get; } = new("--pids") { Description = "Process limit, e.g. 256" };

    public Option<string> Disk { get; } = new("--disk") { Description = "Disk quota, e.g. 1g" };

    public Option<string> Timeout { get; }

    public Option<string[]> Env { get; } = new("--env") { Description = "Environment variable K=V (repeatable)" };

    public Option<string[]> Label { get; } = new("--label") { Description = "Label K=V (repeatable)" };

    public Option<string> Policy { get; } = new("--policy") { Description = "Policy: a file (YAML or JSON), or a stored policy's NAME or NAME@VERSION (airlock policy ls)" };

    public Option<bool> Json { get; }

    public CreateFlags(string timeoutDescription, string jsonDescription)
    {
        Timeout = new Option<string>("--timeout") { Description = timeoutDescription };
        Json = new Option<bool>("--json") { Description = jsonDescription };
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Image, Isolation, Cpus, Memory, Pids, Disk, Timeout, Env, Label, Policy, Json })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The spec these flags ask for; <paramref name="ttl"/> is the whole-sandbox time to live.</summary>
    public SandboxSpec ToSpec(ParseResult parse, TimeSpan? ttl)
    {
        return new SandboxSpec
        {
            Image = parse.GetValue(Image) is { Length: > 0 } image ? image : "python",
            Isolation = FlagParsing.Isolation(parse.GetValue(Isolation)),
            Limits = new ResourceLimits
            {
                Cpus = FlagParsing.PositiveNumber("--cpus", parse.GetValue(Cpus)),
                MemoryBytes = FlagParsing.Size("--memory", parse.GetValue(Memory)),
                Pids = FlagParsing.PositiveInt("--pids", parse.GetValue(Pids)),
                DiskBytes = FlagParsing.Size("--disk", parse.GetValue(Disk)),
            },
            Ttl = ttl,
            Env = FlagParsing.KeyValues("--env", parse.GetValue(Env)),
            Labels = FlagParsing.KeyValues("--label", parse.GetValue(Label)),
            Policy = parse.GetValue(Policy) is { } file ? ReadPolicy(file) : null,
        };
    }

    /// <summary>The file's text, checked here so that its errors name the file, its lines and its fields; a stored policy's name when no such file exists.</summary>
    private static string ReadPolicy(string file)
    {
        if (!File.Exists(file) && Core.Policy.PolicyStore.IsReference(file) && !LooksLikeFile(file)) return file;
        try
        {
            Core.Policy.PolicyLoader.LoadFile(file);
            return File.ReadAllText(file);
        }
        catch (AirlockException e)
        {
            throw new UsageException("--policy: " + e.Message);
        }
    }

    private static bool LooksLikeFile(string text) =>
        new[] { ".yaml", ".yml", ".json" }.Any(e => text.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>How the user gave a limit, for the "command killed" line.</summary>
    public string? LimitText(ParseResult parse, string limit) => limit switch
    {
        ExecResult.Limits.Memory when parse.GetValue(Memory) is { } memory => "--memory " + memory,
        ExecResult.Limits.Pids when parse.GetValue(Pids) is { } pids => "--pids " + pids,
        ExecResult.Limits.Timeout when parse.GetValue(Timeout) is { } timeout => timeout,
        _ => null,
    };
}
