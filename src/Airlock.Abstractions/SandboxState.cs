namespace Airlock;

public enum SandboxState
{
    Creating,
    Running,
    Paused,
    Stopped,
}
