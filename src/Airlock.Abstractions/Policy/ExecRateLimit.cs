namespace Airlock.Policy;

/// <summary><c>limits.exec_rate</c>, e.g. <c>60/1m</c>: at most <see cref="Count"/> commands started per <see cref="Window"/>.</summary>
public sealed record ExecRateLimit(int Count, TimeSpan Window)
{
    public override string ToString() => $"{Count}/{Units.FormatDuration(Window)}";
}
