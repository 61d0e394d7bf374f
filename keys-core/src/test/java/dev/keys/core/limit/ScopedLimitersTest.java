package dev.keys.core.limit;

import dev.keys.api.RateLimit;
import dev.keys.core.specs.LimitScopeSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.keys.core.specs.RateLimiterSpec.drain;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scope spec in process, and what only the in-process factory promises: bounded shared buckets, plain limiters. */
class ScopedLimitersTest extends LimitScopeSpec {
    @Override
    protected LimiterFactory factory() {
        return LimiterFactory.inProcess();
    }

    @Test
    void sharedBucketsAreBoundedAndKeysWithoutScopesGetThePlainLimiter() {
        ScopedLimiters small = (ScopedLimiters) LimiterFactory.inProcess(2);
        for (int i = 0; i < 50; i++) drain(small.create(key("k" + i, "t", "owner" + i), List.of(OWNER)), T0, 1);
        assertTrue(small.sharedBuckets() <= 2, "held: " + small.sharedBuckets());
        assertTrue(f.create(key("a", "t", "o"), List.of(new RateLimit("b", 10, Duration.ofSeconds(1)))) instanceof GcraLimiter);
        assertSame(RateLimiter.NONE, f.create(key("a", "t", "o"), List.of()));
    }

}
