package dev.keys.jmh;

import dev.keys.api.Clock;
import dev.keys.api.RateLimit;
import dev.keys.core.limit.LimitResult;
import dev.keys.core.limit.RateLimiter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The keys token bucket with the bandwidth of {@link BaselineBenchmark#bucket4jTryConsume} (never denies), the clock
 * read included as Bucket4j includes its own. Budget: no slower than Bucket4j in the same run, nothing allocated.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class TokenBucketBenchmark {
    Clock clock;
    RateLimiter limiter;
    RateLimiter twoBandwidths;

    @Setup
    public void setup() {
        clock = Clock.system();
        limiter = RateLimiter.of(List.of(new RateLimit("bench", BaselineBenchmark.CAPACITY, Duration.ofSeconds(1))));
        twoBandwidths = RateLimiter.of(List.of(
                new RateLimit("burst", BaselineBenchmark.CAPACITY, Duration.ofSeconds(1)),
                new RateLimit("sustained", 60 * BaselineBenchmark.CAPACITY, Duration.ofMinutes(1))));
        if (!limiter.tryConsume(1, clock.nanos()).admitted()) throw new IllegalStateException("must admit");
        if (!twoBandwidths.tryConsume(1, clock.nanos()).admitted()) throw new IllegalStateException("must admit");
    }

    @Benchmark
    public LimitResult tryConsume() {
        return limiter.tryConsume(1, clock.nanos());
    }

    /** Two bandwidths (burst + sustained), as in the verify budget: one state object per call. */
    @Benchmark
    public LimitResult tryConsumeTwoBandwidths() {
        return twoBandwidths.tryConsume(1, clock.nanos());
    }
}
