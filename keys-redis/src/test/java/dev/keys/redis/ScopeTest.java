package dev.keys.redis;

import dev.keys.api.ApiKey;
import dev.keys.api.RateLimit;
import dev.keys.core.specs.LimitScopeSpec;
import dev.keys.core.limit.LimiterFactory;
import dev.keys.core.limit.RateLimiter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.keys.core.specs.RateLimiterSpec.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The scope spec against both modes in the real Redis, and owner buckets shared across instances. */
class ScopeTest {
    static final long T0 = 1_700_000_000L * 1_000_000_000L;
    static final String PREFIX = RedisTests.prefix();
    static RedisLimits exact, localFirst, otherInstance;

    @BeforeAll
    static void open() {
        exact = RedisTests.limits(PREFIX).build();
        localFirst = RedisTests.limits(PREFIX).mode(RedisLimits.Mode.LOCAL_FIRST).build();
        otherInstance = RedisTests.limits(PREFIX).build();
    }

    @AfterAll
    static void close() {
        exact.close();
        localFirst.close();
        otherInstance.close();
        RedisTests.cleanUp(RedisTests.URL, PREFIX);
    }

    @Nested
    class Exact extends LimitScopeSpec {
        @Override
        protected LimiterFactory factory() {
            return exact;
        }

        @Override
        protected int rounds() {
            return 3;
        }
    }

    @Nested
    class LocalFirst extends LimitScopeSpec {
        @Override
        protected LimiterFactory factory() {
            return localFirst;
        }

        @Override
        protected int rounds() {
            return 3;
        }
    }

    @Test
    void anOwnersBucketIsOneAcrossInstancesAndItsKeys() {
        RateLimit owner = new RateLimit("owner", 10, Duration.ofHours(1)).withScope(RateLimit.Scope.OWNER);
        String o = "acme-" + System.nanoTime();
        ApiKey a = RedisTests.key("a-" + o, "t", o);
        ApiKey b = RedisTests.key("b-" + o, "t", o);
        RateLimiter here = exact.create(a, List.of(owner));
        RateLimiter there = otherInstance.create(b, List.of(owner));
        RateLimiter thereToo = otherInstance.create(a, List.of(owner, new RateLimit("own", 100, Duration.ofSeconds(1))));
        assertEquals(4, drain(here, T0, 4));
        assertEquals(3, drain(there, T0, 3));
        assertEquals(3, drain(thereToo, T0, 10));
        assertEquals(0, drain(here, T0, 10));
    }
}
