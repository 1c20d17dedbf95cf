namespace Airlock.Core.Engine;

/// <summary>Finds the guest agent binary that every sandbox runs as its init.</summary>
public static class AgentLocator
{
    public const string FileName = "airlock-agent";

    /// <summary>AIRLOCK_AGENT, then the configured path, then next to this program, then <c>artifacts/agent/</c> of a source checkout above it.</summary>
    public static string Locate(string? configured = null)
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("AIRLOCK_AGENT") is { Length: > 0 } fromEnv) candidates.Add(fromEnv);
        if (configured is { Length: > 0 }) candidates.Add(configured);
        candidates.Add(Path.Combine(AppContext.BaseDirectory, FileName));
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, "artifacts", "agent", FileName));
        }

        return candidates.FirstOrDefault(File.Exists)
            ?? throw AirlockException.Unavailable(
                $"the guest agent binary ({FileName}) is missing; run scripts/setup.sh, which publishes it to artifacts/agent/, or set AIRLOCK_AGENT");
    }
}
