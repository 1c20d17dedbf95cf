using Airlock.Guest.Exec;

namespace Airlock.Guest.Tests.Exec;

/// <summary>The memory guard's pure parts: what it reads from /proc/meminfo, when it acts, and how soon it looks again.</summary>
public sealed class MemoryGuardTests
{
    private const long Limit = 512L << 20;

    [Fact]
    public void UsedBytes_IsMemTotalMinusMemAvailable()
    {
        Assert.Equal((524288L - 500000L) * 1024, MemoryGuard.UsedBytes("MemTotal:         524288 kB\nMemFree:          510000 kB\nMemAvailable:     500000 kB\n"));
        Assert.Null(MemoryGuard.UsedBytes("MemTotal:         524288 kB\nMemFree:          510000 kB\n"));
    }

    [Fact]
    public void NextPoll_FarBelowTheLimit_WaitsTheLongestInterval()
    {
        Assert.Equal(MemoryGuard.MaxInterval, MemoryGuard.NextPoll(20L << 20, Limit));
    }

    [Fact]
    public void NextPoll_NearOrPastTheLimit_PollsAtTheShortestInterval()
    {
        Assert.Equal(MemoryGuard.MinInterval, MemoryGuard.NextPoll(Limit - (1L << 20), Limit));
        Assert.Equal(MemoryGuard.MinInterval, MemoryGuard.NextPoll(Limit + (8L << 20), Limit));
    }

    [Fact]
    public void NextPoll_InBetween_IsTheTimeTheAssumedGrowthTakesToReachTheLimit()
    {
        const long headroom = 100_000_000;
        var wait = MemoryGuard.NextPoll(Limit - headroom, Limit);

        Assert.Equal((double)headroom / MemoryGuard.AssumedGrowthBytesPerSecond, wait.TotalSeconds, 6);
        Assert.InRange(wait, MemoryGuard.MinInterval, MemoryGuard.MaxInterval);
    }

    [Fact]
    public void NextPoll_NeverLetsAPollsWorthOfAssumedGrowthPassTheLimit()
    {
        for (var used = 0L; used < Limit; used += 7L << 20)
        {
            var grown = used + (long)(MemoryGuard.NextPoll(used, Limit).TotalSeconds * MemoryGuard.AssumedGrowthBytesPerSecond);
            Assert.True(grown <= Limit || MemoryGuard.NextPoll(used, Limit) == MemoryGuard.MinInterval, $"{used >> 20} MiB used: the next poll comes after {grown >> 20} MiB");
        }
    }
}
