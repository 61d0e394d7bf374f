package dev.keys.core.verify;

import dev.keys.api.ApiKey;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.limit.LimitResult;
import dev.keys.core.limit.LimiterFactory;
import dev.keys.core.limit.RateLimiter;
import dev.keys.test.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seam through which a fleet-wide limiter (keys-redis) takes over a key's buckets. */
class LimiterFactoryTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));

    /** A limiter from another package's point of view: only the protected API of RateLimiter. */
    static final class Counting extends RateLimiter {
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean down;

        Counting(List<RateLimit> limits) {
            super(limits);
        }

        @Override
        public LimitResult tryConsume(long cost, long nowNanos) {
            checkCost(cost);
            if (cost > maxCost()) return capacityDenial(cost, nowNanos);
            calls.incrementAndGet();
            if (!down) return LimitResult.UNLIMITED;
            return new LimitResult() {
                @Override public boolean admitted() { return false; }
                @Override public boolean unavailable() { return true; }
                @Override public String detail() { return "rate limits are unavailable"; }
                @Override public List<RateLimitStatus> statuses() { return List.of(); }
                @Override public long retryAfterSeconds() { return 1; }
            };
        }

        @Override
        protected List<RateLimitStatus> peek(long nowNanos) {
            return List.of(new RateLimitStatus("burst", 5, 1, 5, 0));
        }
    }

    @Test
    void theFactoryGetsTheKeyAndItsLimitsAndOnlyStepSixReachesIt() {
        List<ApiKey> seen = new ArrayList<>();
        List<Counting> made = new ArrayList<>();
        LimiterFactory f = (key, limits) -> {
            seen.add(key);
            Counting c = new Counting(limits);
            made.add(c);
            return c;
        };
        try (Keys keys = Keys.builder().clock(clock).limiters(f).verifier(v -> v.syncInterval(Duration.ZERO)).build()) {
            IssuedKey k = keys.manager().create(NewKey.builder("sk_test").permissions("a:read")
                    .ratelimits(new RateLimit("burst", 5, Duration.ofSeconds(1))).build(), SYSTEM);
            assertEquals(Outcome.VALID, keys.verifier().verify(k.plaintext()).outcome());
            assertEquals(k.key().id(), seen.get(0).id());
            Counting c = made.get(0);
            assertEquals(List.of(new RateLimit("burst", 5, Duration.ofSeconds(1))), c.limits());
            Requirement write = Requirement.of(PermissionQuery.parse("a:write"));
            for (int i = 0; i < 5; i++) {
                assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, keys.verifier().verify(k.plaintext(), RequestContext.NONE, write).outcome());
            }
            assertEquals(1, c.calls.get(), "a 403 never reaches the limiter");

            Verification big = keys.verifier().verify(k.plaintext(), RequestContext.of("POST", "/bulk").withCost(6));
            assertEquals(Outcome.RATE_LIMITED, big.outcome());
            assertTrue(((Verification.Denied) big).detail().contains("capacity"));

            c.down = true;
            Verification v = keys.verifier().verify(k.plaintext());
            assertEquals(Outcome.STORE_UNAVAILABLE, v.outcome(), "a limiter that cannot decide fails closed as 503, not 429");
            assertEquals(k.key().id(), ((Verification.Denied) v).key().orElseThrow().id());
            assertTrue(!keys.verifier().storeDown(), "the key store is not down because the limits are");

            keys.manager().update(k.key().id(), b -> b.name("renamed"), SYSTEM);
            keys.verifier().verify(k.plaintext());
            assertEquals(1, made.size(), "same limits: the limiter is carried over, not made anew");
        }
    }
}
