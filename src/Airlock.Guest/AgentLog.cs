namespace Airlock.Guest;

/// <summary>
/// The agent's optional log. Silent by default: inside a sandbox stdout and stderr are /dev/null,
/// and nothing the agent says may be mistaken for a command's output.
/// </summary>
internal sealed class AgentLog
{
    private readonly string? _path;
    private readonly object _gate = new();

    public AgentLog(string? path)
    {
        _path = path;
    }

    public void Write(string message)
    {
        if (_path is null)
        {
            return;
        }

        lock (_gate)
        {
            try
            {
                File.AppendAllText(_path, $"{DateTimeOffset.UtcNow:O} {message}\n");
            }
            catch (IOException)
            {
            }
        }
    }
}
