package dev.keys.core.limit;

import dev.keys.api.RateLimit;
import org.jetbrains.lincheck.datastructures.LongGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Linearizability, checked by Lincheck against sequential runs of the same code: a shared fake clock that one
 * operation advances, and consumers that read it and take tokens.
 *
 * <p>The multi-bandwidth and exact forms keep the clock reading in their state and are linearizable with a moving
 * clock. The one-long GCRA form is linearizable on a frozen clock; with a moving one, a request whose clock reading is
 * older than a concurrent request's may be judged at its own, older reading (it sees fewer tokens, never more):
 * keeping the latest reading exactly would take a second CAS per call.
 */
public class RateLimiterLincheckTest {
    static final long T0 = 1_700_000_000_000_000_000L;
    static final RateLimit BURST = new RateLimit("burst", 10, Duration.ofSeconds(1), 3);   // a token per 100 ms
    static final RateLimit SLOW = new RateLimit("slow", 20, Duration.ofMinutes(1), 4);    // a token per 3 s

    @Param(name = "cost", gen = LongGen.class, conf = "1:2")
    abstract static class Base {
        final AtomicLong clock = new AtomicLong(T0);
        final RateLimiter limiter;

        Base(RateLimiter limiter) {
            this.limiter = limiter;
        }

        @Operation
        public boolean consume(@Param(name = "cost") long cost) {
            return limiter.tryConsume(cost, clock.get()).admitted();
        }

        @Operation
        public void advance() {
            clock.addAndGet(100_000_000L);
        }
    }

    @Param(name = "cost", gen = LongGen.class, conf = "1:3")
    public static class Single {
        final RateLimiter limiter = RateLimiter.of(List.of(new RateLimit("burst", 10, Duration.ofSeconds(1), 5)));

        @Operation
        public boolean consume(@Param(name = "cost") long cost) {
            return limiter.tryConsume(cost, T0).admitted();
        }
    }

    public static class Multi extends Base {
        public Multi() {
            super(RateLimiter.of(List.of(BURST, SLOW)));
        }
    }

    public static class Exact extends Base {
        public Exact() {
            super(RateLimiter.of(List.of(BURST, SLOW), RateLimiter.Form.EXACT));
        }
    }

    static ModelCheckingOptions modelChecking() {
        return new ModelCheckingOptions().iterations(10).invocationsPerIteration(200).threads(3).actorsPerThread(3);
    }

    @Test
    void singleModelChecking() {
        modelChecking().check(Single.class);
    }

    @Test
    void multiModelChecking() {
        modelChecking().check(Multi.class);
    }

    @Test
    void exactModelChecking() {
        modelChecking().check(Exact.class);
    }
}
