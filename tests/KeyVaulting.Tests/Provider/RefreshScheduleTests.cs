using KeyVaulting.Provider.Internal;
using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// The background read's timing, with the random draw given: ±10% jitter around RefreshInterval, 80% of a key's
/// remaining lifetime, the one-second floor, exponential backoff with ±20% jitter, and the store's Retry-After hint
/// clamped to MaxStaleness and to what a timer can wait.
/// </summary>
public class RefreshScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static OpenAIKeyProviderOptions Options() => new()
    {
        RefreshInterval = TimeSpan.FromMinutes(10),
        InitialRetryDelay = TimeSpan.FromSeconds(2),
        MaxStaleness = TimeSpan.FromHours(1),
    };

    private static OpenAIKey Key(DateTimeOffset? expiresAt = null) => new(TestKeys.Project(), "Memory:test", retrievedAt: Now, expiresAt: expiresAt);

    [Theory]
    [InlineData(0.0, 540)] // 0.9 × 10 min
    [InlineData(0.5, 600)]
    [InlineData(1.0, 660)] // 1.1 × 10 min
    public void AfterSuccess_KeyWithoutExpiry_RefreshIntervalWithinTenPercent(double random, int seconds)
        => RefreshSchedule.AfterSuccess(Options(), Key(), Now, random).Should().Be(TimeSpan.FromSeconds(seconds));

    [Fact]
    public void AfterSuccess_KeyExpiringBeforeTheNextRefresh_ReadsAtEightyPercentOfItsRemainingLifetime()
        => RefreshSchedule.AfterSuccess(Options(), Key(Now.AddMinutes(5)), Now, 0.5).Should().Be(TimeSpan.FromMinutes(4));

    [Fact]
    public void AfterSuccess_KeyExpiringLongAfterTheNextRefresh_KeepsTheRefreshInterval()
        => RefreshSchedule.AfterSuccess(Options(), Key(Now.AddHours(2)), Now, 0.5).Should().Be(TimeSpan.FromMinutes(10));

    [Theory]
    [InlineData(-60)] // already expired
    [InlineData(1)] // 80% of a second
    public void AfterSuccess_KeyExpiredOrAboutTo_NeverSoonerThanOneSecond(int secondsLeft)
        => RefreshSchedule.AfterSuccess(Options(), Key(Now.AddSeconds(secondsLeft)), Now, 0.5).Should().Be(RefreshSchedule.Floor);

    [Fact]
    public void AfterSuccess_JustAboveTheFloor_IsNotRaised()
        => RefreshSchedule.AfterSuccess(Options(), Key(Now.AddSeconds(2)), Now, 0.5).Should().Be(TimeSpan.FromSeconds(1.6));

    [Fact]
    public void Floor_IsOneSecond() => RefreshSchedule.Floor.Should().Be(TimeSpan.FromSeconds(1));

    [Fact]
    public void Ceiling_IsTheLongestWaitATimerAccepts()
    {
        RefreshSchedule.Ceiling.Should().Be(TimeSpan.FromMilliseconds(4294967294));
        using var timer = TimeProvider.System.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(RefreshSchedule.Ceiling, Timeout.InfiniteTimeSpan).Should().BeTrue();
    }

    [Theory]
    [InlineData(0, 2)] // no failure counted yet: the first delay
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(4, 16)]
    [InlineData(9, 512)]
    public void AfterFailure_DoublesFromInitialRetryDelay(int failures, int seconds)
        => RefreshSchedule.AfterFailure(Options(), failures, retryAfter: null, random: 0.5).Should().Be(TimeSpan.FromSeconds(seconds));

    [Theory]
    [InlineData(0.0, 3.2)] // 0.8 × 4 s
    [InlineData(1.0, 4.8)] // 1.2 × 4 s
    public void AfterFailure_JittersTwentyPercentEitherWay(double random, double seconds)
        => RefreshSchedule.AfterFailure(Options(), 2, retryAfter: null, random).Should().Be(TimeSpan.FromSeconds(seconds));

    [Theory]
    [InlineData(10, 0.5)]
    [InlineData(10, 1.0)] // the jitter does not lift it past the cap either
    [InlineData(1000, 1.0)]
    public void AfterFailure_ManyFailures_NeverLongerThanRefreshInterval(int failures, double random)
        => RefreshSchedule.AfterFailure(Options(), failures, retryAfter: null, random).Should().Be(TimeSpan.FromMinutes(10));

    [Fact]
    public void AfterFailure_ManyFailuresWithALongRefreshInterval_StopsDoublingAtTwoToTheThirty()
    {
        var options = new OpenAIKeyProviderOptions { RefreshInterval = TimeSpan.FromDays(1), InitialRetryDelay = TimeSpan.FromMilliseconds(0.0001) };

        RefreshSchedule.AfterFailure(options, 100, retryAfter: null, random: 0.5)
            .Should().Be(TimeSpan.FromMilliseconds(0.0001 * Math.Pow(2, 30)));
    }

    [Fact]
    public void AfterFailure_RetryAfterShorterThanTheBackoff_KeepsTheBackoff()
        => RefreshSchedule.AfterFailure(Options(), 2, TimeSpan.FromSeconds(1), 0.5).Should().Be(TimeSpan.FromSeconds(4));

    [Fact]
    public void AfterFailure_RetryAfterLongerThanTheBackoff_WaitsAsTheStoreAsks()
        => RefreshSchedule.AfterFailure(Options(), 2, TimeSpan.FromMinutes(7), 0.5).Should().Be(TimeSpan.FromMinutes(7));

    [Fact]
    public void AfterFailure_RetryAfterPastMaxStaleness_WaitsMaxStaleness()
        => RefreshSchedule.AfterFailure(Options(), 2, TimeSpan.FromDays(3), 0.5).Should().Be(TimeSpan.FromHours(1));

    [Fact]
    public void AfterFailure_RetryAfterExactlyMaxStaleness_WaitsMaxStaleness()
        => RefreshSchedule.AfterFailure(Options(), 2, TimeSpan.FromHours(1), 0.5).Should().Be(TimeSpan.FromHours(1));

    [Fact]
    public void AfterFailure_RetryAfterPastWhatATimerCanWait_WaitsTheTimerCeiling()
    {
        var options = Options();
        options.MaxStaleness = TimeSpan.FromDays(365);

        RefreshSchedule.AfterFailure(options, 2, TimeSpan.FromDays(200), 0.5).Should().Be(RefreshSchedule.Ceiling);
        RefreshSchedule.AfterFailure(options, 2, TimeSpan.MaxValue, 0.5).Should().Be(RefreshSchedule.Ceiling);
    }

    [Fact]
    public void AfterFailure_RetryAfterJustUnderTheTimerCeiling_IsHonoured()
    {
        var options = Options();
        options.MaxStaleness = TimeSpan.FromDays(365);
        var hint = RefreshSchedule.Ceiling - TimeSpan.FromSeconds(1);

        RefreshSchedule.AfterFailure(options, 2, hint, 0.5).Should().Be(hint);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void RejectedKey_FirstFiveReads_OneSecondApart(int reads)
        => RejectedKeySchedule.After(Options(), reads).Should().Be(TimeSpan.FromSeconds(1));

    [Theory]
    [InlineData(6, 2)]
    [InlineData(7, 4)]
    [InlineData(8, 5)] // 8 s capped at MinimumRefreshInterval
    [InlineData(int.MaxValue, 5)]
    public void RejectedKey_AfterTheFastReads_DoublesUpToMinimumRefreshInterval(int reads, int seconds)
    {
        var options = new OpenAIKeyProviderOptions { MinimumRefreshInterval = TimeSpan.FromSeconds(5) };

        RejectedKeySchedule.After(options, reads).Should().Be(TimeSpan.FromSeconds(seconds));
    }

    [Fact]
    public void RejectedKey_MinimumRefreshIntervalBelowASecond_StillOneSecondApart()
    {
        var options = new OpenAIKeyProviderOptions { MinimumRefreshInterval = TimeSpan.Zero };

        RejectedKeySchedule.After(options, 6).Should().Be(TimeSpan.FromSeconds(1));
        RejectedKeySchedule.After(options, 40).Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void RejectedKey_LongMinimumRefreshInterval_DoublingStopsAtTwoToTheTwenty()
    {
        var options = new OpenAIKeyProviderOptions { MinimumRefreshInterval = TimeSpan.FromHours(1) };

        RejectedKeySchedule.After(options, 10).Should().Be(TimeSpan.FromSeconds(32));
        RejectedKeySchedule.After(options, 1000).Should().Be(TimeSpan.FromHours(1));
    }

    [Theory]
    [InlineData(0.0, 10.0)]
    [InlineData(0.5, 10.5)]
    [InlineData(1.0, 11.0)]
    public void RejectedKey_Jitter_UpToTenPercentLaterNeverSooner(double random, double seconds)
        => RejectedKeySchedule.Jittered(TimeSpan.FromSeconds(10), random).Should().Be(TimeSpan.FromSeconds(seconds));
}
