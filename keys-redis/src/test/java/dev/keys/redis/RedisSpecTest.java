package dev.keys.redis;

import dev.keys.api.RateLimit;
import dev.keys.core.limit.RateLimiter;
import dev.keys.core.specs.RateLimiterSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

import java.util.List;

/** The in-process limiter's behavioural spec, unchanged, against both modes in the real Redis. */
class RedisSpecTest {
    static final String PREFIX = RedisTests.prefix();
    static RedisLimits exact, localFirst;

    @BeforeAll
    static void open() {
        exact = RedisTests.limits(PREFIX).mode(RedisLimits.Mode.EXACT).build();
        localFirst = RedisTests.limits(PREFIX).mode(RedisLimits.Mode.LOCAL_FIRST).build();
    }

    @AfterAll
    static void close() {
        exact.close();
        localFirst.close();
        RedisTests.cleanUp(RedisTests.URL, PREFIX);
    }

    @Nested
    class Exact extends RateLimiterSpec {
        @Override
        protected RateLimiter limiter(List<RateLimit> limits) {
            return exact.create(RedisTests.anyKey(), limits);
        }
    }

    @Nested
    class LocalFirst extends RateLimiterSpec {
        @Override
        protected RateLimiter limiter(List<RateLimit> limits) {
            return localFirst.create(RedisTests.anyKey(), limits);
        }
    }
}
