namespace Airlock.Core.Doctor;

/// <summary>What a host program printed and how it exited.</summary>
internal sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    public string FirstLine => (StandardOutput.Length > 0 ? StandardOutput : StandardError)
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .FirstOrDefault() ?? "";
}
