package dev.keys.core.limit;

import dev.keys.api.RateLimit;

import java.util.List;

/**
 * Cache-line padding before an in-process limiter's state, which every admitted request writes. The collector may
 * copy the limiters of two keys, or one key's limiter and another thread's objects, next to each other; a write to
 * the state then takes the line from the other thread's core on every request. Measured (two threads on two keys,
 * {@code VerifyBenchmark.cachedValidTwoThreads}, and the same loop in fresh JVMs): without padding 4 of 8 runs
 * slowed one or both threads 1.1x to 2.7x, with it 0 of 10. The state sits between this class's fields (with the
 * header and the superclass's fields, read only by threads verifying the same key, 56 bytes) and the 56 bytes of
 * the limiter's final subclass ({@link GcraLimiter.Padded}, {@link GcraMultiLimiter.Padded},
 * {@link ExactLimiter.Padded}), so that no other object can share the state's cache line. 80 bytes a limited key.
 * {@code LimiterPaddingTest} checks the offsets the JVM gives these fields.
 */
abstract class PaddedLimiter extends RateLimiter {
    @SuppressWarnings("unused")
    private long p1, p2, p3; // with the header and the superclass's fields: 56 bytes of this object before the state

    PaddedLimiter(List<RateLimit> limits, Bandwidth[] bandwidths) {
        super(limits, bandwidths);
    }
}
