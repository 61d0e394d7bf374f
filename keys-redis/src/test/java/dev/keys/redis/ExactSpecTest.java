package dev.keys.redis;

import dev.keys.api.RateLimit;
import dev.keys.core.limit.RateLimiter;
import dev.keys.core.limit.RateLimiterSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;

/** The in-process limiter's behavioural spec, unchanged, against {@code EXACT} in the real Redis. */
class ExactSpecTest extends RateLimiterSpec {
    static final String PREFIX = RedisTests.prefix();
    static RedisLimits redis;

    @BeforeAll
    static void open() {
        redis = RedisTests.limits(PREFIX).mode(RedisLimits.Mode.EXACT).build();
    }

    @AfterAll
    static void close() {
        redis.close();
        RedisTests.cleanUp(RedisTests.URL, PREFIX);
    }

    @Override
    protected RateLimiter limiter(List<RateLimit> limits) {
        return redis.create(RedisTests.anyKey(), limits);
    }
}
