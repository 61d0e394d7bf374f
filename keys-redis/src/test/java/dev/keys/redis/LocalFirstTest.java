package dev.keys.redis;

import dev.keys.api.ApiKey;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;
import dev.keys.core.limit.LimitResult;
import dev.keys.core.limit.RateLimiter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.keys.core.specs.RateLimiterSpec.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What leases cost and how they come back: round trips spared, give-back on close, lapse, the hold-back bound. */
class LocalFirstTest {
    static final long S = 1_000_000_000L;
    static final long T0 = 1_700_000_000L * S;
    final String prefix = RedisTests.prefix();
    final List<RedisLimits> opened = new ArrayList<>();

    RedisLimits instance() {
        RedisLimits r = RedisTests.limits(prefix).mode(RedisLimits.Mode.LOCAL_FIRST).lease(Duration.ofSeconds(1), 0.1).build();
        opened.add(r);
        return r;
    }

    @AfterEach
    void close() {
        opened.forEach(RedisLimits::close);
        RedisTests.cleanUp(RedisTests.URL, prefix);
    }

    @Test
    void belowTheLimitMostRequestsAreDecidedInProcessAndAlwaysExactlyAsOneBucketWould() {
        List<RateLimit> limits = List.of(new RateLimit("burst", 1000, Duration.ofSeconds(1)), new RateLimit("hour", 100_000, Duration.ofHours(1)));
        RedisLimits redis = instance();
        RateLimiter shared = redis.create(RedisTests.anyKey(), limits);
        RateLimiter local = RateLimiter.of(limits);
        long now = T0;
        long before = redis.calls();
        for (int i = 0; i < 10_000; i++) {
            now += 1_250_000; // 800 requests a second against 1,000 a second
            assertSame(local.tryConsume(1, now), shared.tryConsume(1, now), "request " + i);
        }
        long calls = redis.calls() - before;
        assertTrue(calls < 10_000 / 20, "round trips: " + calls);
        int admitted = 0;
        for (int i = 0; i < 10_000; i++) {
            now += 700_000; // 1,430 a second: now the bucket runs dry and each token is taken as it comes
            LimitResult r = shared.tryConsume(1, now);
            assertSame(local.tryConsume(1, now), r, "request " + i);
            if (r.admitted()) admitted++;
        }
        assertTrue(admitted > 6_000 && admitted < 10_000, "admitted " + admitted);
    }

    static void assertSame(LimitResult expected, LimitResult actual, String where) {
        assertEquals(expected.admitted(), actual.admitted(), where);
        assertEquals(expected.statuses(), actual.statuses(), where);
        assertEquals(expected.retryAfterSeconds(), actual.retryAfterSeconds(), where);
        assertEquals(expected.detail(), actual.detail(), where);
    }

    @Test
    void closeGivesBackWhatALeaseDidNotSpend() {
        ApiKey key = RedisTests.anyKey();
        List<RateLimit> limits = List.of(new RateLimit("hour", 200, Duration.ofHours(1)));
        RedisLimits a = instance();
        RedisLimits b = instance();
        RateLimiter la = a.create(key, limits);
        RateLimiter lb = b.create(key, limits);
        for (int i = 0; i < 5; i++) assertTrue(la.tryConsume(1, T0).admitted()); // the second call leases 20 (a tenth)
        assertEquals(2, a.calls(), "three spent from the lease");
        assertEquals(200 - 2 - 20, drain(lb, T0, 500), "the other instance gets all but the lease");
        a.close();
        assertEquals(17, drain(lb, T0, 500), "closed: the 17 it did not spend are back");
        assertEquals(List.of(new RateLimitStatus("hour", 200, 3600, 0, 3600)), lb.statuses(T0));
    }

    @Test
    void anIdleInstancesLeaseComesBackAtItsNextCallAfterTheLeaseTime() {
        ApiKey key = RedisTests.anyKey();
        List<RateLimit> limits = List.of(new RateLimit("hour", 200, Duration.ofHours(1))); // a token every 18 s
        RedisLimits a = instance();
        RedisLimits b = instance();
        RateLimiter la = a.create(key, limits);
        RateLimiter lb = b.create(key, limits);
        for (int i = 0; i < 5; i++) assertTrue(la.tryConsume(1, T0).admitted()); // leases 20, spends 3 of them
        assertEquals(200 - 2 - 20, drain(lb, T0, 500), "a's lease is held back from b");
        long afterLease = T0 + 1_000_000_000L; // the lease time (1 s) is over; no whole token refilled yet
        assertTrue(la.tryConsume(1, afterLease).admitted(), "a's next call reports its lease and is admitted");
        assertEquals(3, a.calls(), "one round trip, which gave the lease back");
        assertEquals(17 - 1, drain(lb, afterLease, 500), "the 17 a did not spend are back (one went to a's call); no new lease fits");
    }

    /** The documented bound: idle instances hold back at most maxFraction x capacity each, and the rest is served. */
    @Test
    void idleInstancesHoldBackAtMostTheirLeasesEach() {
        ApiKey key = RedisTests.anyKey();
        List<RateLimit> limits = List.of(new RateLimit("hour", 200, Duration.ofHours(1)));
        for (int i = 0; i < 3; i++) {
            RateLimiter idle = instance().create(key, limits);
            assertTrue(idle.tryConsume(1, T0).admitted());
            assertTrue(idle.tryConsume(1, T0).admitted()); // the second call leases a tenth, 20, then falls idle
        }
        RateLimiter busy = instance().create(key, limits);
        assertEquals(200 - 3 * 2 - 3 * 20, drain(busy, T0, 500), "capacity less what was spent less 3 x 0.1 x capacity");
    }

    @Test
    void anUnreportedLeaseLapsesAfterLeaseTimeAndClockSkewAndCountsAsSpent() {
        ApiKey key = RedisTests.anyKey();
        List<RateLimit> limits = List.of(new RateLimit("hour", 3600, Duration.ofHours(1))); // a token a second
        RedisLimits a = instance();
        RedisLimits b = instance();
        RateLimiter la = a.create(key, limits);
        RateLimiter lb = b.create(key, limits);
        assertTrue(la.tryConsume(1, T0).admitted());
        assertTrue(la.tryConsume(1, T0).admitted()); // leases 360 (a tenth), spends none of it yet
        assertEquals(3600 - 2 - 360, drain(lb, T0, 5000));
        // a never comes back: at T0 + 1.25 s its lease lapses and counts as spent then, none of it returns
        assertEquals(1, drain(lb, T0 + 1_249_999_999L, 10), "the lease still holds: only the token refilled at 1 s");
        assertEquals(0, drain(lb, T0 + 1_250_000_000L, 10), "lapsed: counted as spent now");
        assertEquals(1, drain(lb, T0 + 2_250_000_000L, 10), "and the bucket refills from there");
    }

    @Test
    void withEveryInstanceAskingTheFleetAdmitsExactlyTheCapacity() {
        ApiKey key = RedisTests.anyKey();
        List<RateLimit> limits = List.of(new RateLimit("hour", 1000, Duration.ofHours(1)));
        List<RateLimiter> fleet = List.of(instance().create(key, limits), instance().create(key, limits), instance().create(key, limits));
        int admitted = 0;
        for (int round = 0; round < 600; round++) {
            for (RateLimiter l : fleet) if (l.tryConsume(1, T0).admitted()) admitted++;
        }
        assertEquals(1000, admitted);
    }

    @Test
    void aKeyWithALaneThatIsNotWholeNanosecondsIsNeverLeased() {
        RedisLimits redis = instance();
        RateLimiter l = redis.create(RedisTests.anyKey(), List.of(new RateLimit("odd", 3000, Duration.ofSeconds(7))));
        long before = redis.calls();
        assertEquals(3000, drain(l, T0, 3000));
        assertEquals(3000, redis.calls() - before, "one round trip per request, as in EXACT");
    }
}
