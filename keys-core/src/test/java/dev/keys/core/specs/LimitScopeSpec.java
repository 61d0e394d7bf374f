package dev.keys.core.specs;

import dev.keys.core.limit.LimiterFactory;
import dev.keys.core.limit.LimitResult;
import dev.keys.core.limit.RateLimiter;
import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimit.Scope;
import dev.keys.api.RateLimitStatus;
import dev.keys.core.Keys;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.test.ManualClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static dev.keys.core.specs.RateLimiterSpec.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Owner- and tenant-wide buckets (docs/contract.md §5, {@code ratelimits[].scope}): shared by the keys they name,
 * all-or-nothing with the key's own. The in-process factory ({@code ScopedLimitersTest}) and both modes of keys-redis
 * run it; every test names tenants and owners of its own, so one factory (and one Redis) can serve them all.
 */
public abstract class LimitScopeSpec {
    public static final long S = 1_000_000_000L;
    public static final long T0 = 1_700_000_000L * S;
    public static final RateLimit BURST = new RateLimit("burst", 3, Duration.ofSeconds(1));
    public static final RateLimit OWNER = new RateLimit("owner", 5, Duration.ofMinutes(1)).withScope(Scope.OWNER);
    public static final RateLimit TENANT = new RateLimit("tenant", 8, Duration.ofMinutes(1)).withScope(Scope.TENANT);
    protected final String run = Long.toString(System.nanoTime(), 36);
    protected LimiterFactory f;

    /** The factory under test; called once per test. */
    protected abstract LimiterFactory factory();

    @BeforeEach
    void setUpFactory() {
        f = factory();
    }

    /** A tenant or owner name no other test uses. */
    protected String n(String name) {
        return name + "-" + run;
    }

    public static ApiKey key(String id, String tenant, String owner) {
        Instant t = Instant.parse("2026-03-01T12:00:00Z");
        return ApiKey.builder().id(id).tenant(tenant).ownerId(owner).prefix("sk_test").start("abcd").digest(Digest.of(new byte[32]))
                .createdAt(t).updatedAt(t).build();
    }

    @Test
    void keysOfOneOwnerShareTheOwnersBucketAndNoOtherOwnersOrTenants() {
        RateLimiter a = f.create(key(n("a"), n("t1"), n("acme")), List.of(OWNER));
        RateLimiter b = f.create(key(n("b"), n("t1"), n("acme")), List.of(OWNER));
        RateLimiter other = f.create(key(n("c"), n("t1"), n("globex")), List.of(OWNER));
        RateLimiter elsewhere = f.create(key(n("d"), n("t2"), n("acme")), List.of(OWNER));
        assertEquals(3, drain(a, T0, 3));
        assertEquals(2, drain(b, T0, 10), "a new key does not bring a new bucket");
        assertEquals(0, drain(a, T0, 10));
        assertEquals(5, drain(other, T0, 10));
        assertEquals(5, drain(elsewhere, T0, 10), "an owner is an owner within its tenant");
    }

    @Test
    void tenantBucketsSpanOwners() {
        RateLimiter a = f.create(key(n("a"), n("t1"), n("acme")), List.of(TENANT));
        RateLimiter b = f.create(key(n("b"), n("t1"), n("globex")), List.of(TENANT));
        assertEquals(5, drain(a, T0, 5));
        assertEquals(3, drain(b, T0, 10));
        assertEquals(8, drain(f.create(key(n("c"), n("t2"), n("acme")), List.of(TENANT)), T0, 10));
    }

    @Test
    void everyBucketOrNoneAndTheStatusesInTheKeysOrder() {
        RateLimiter a = f.create(key(n("a"), n("t1"), n("acme")), List.of(OWNER, BURST, TENANT));
        RateLimiter b = f.create(key(n("b"), n("t1"), n("acme")), List.of(OWNER));
        assertEquals(3, drain(a, T0, 10), "its own burst of 3 holds first");
        LimitResult no = a.tryConsume(1, T0);
        assertEquals("rate limit 'burst' exceeded", no.detail());
        assertEquals(List.of(new RateLimitStatus("owner", 5, 60, 2, 36), new RateLimitStatus("burst", 3, 1, 0, 1),
                new RateLimitStatus("tenant", 8, 60, 5, 23)), no.statuses());
        assertEquals(2, drain(b, T0, 10), "the refusals took nothing from the owner's bucket");
        LimitResult owner = a.tryConsume(1, T0 + S);
        assertFalse(owner.admitted());
        assertEquals("rate limit 'owner' exceeded", owner.detail());
        assertEquals(11, owner.retryAfterSeconds(), "a token every 12 s, the first back at 12 s");
        assertEquals(3, a.statuses(T0 + S).get(1).remaining(), "nor from its own burst");
        assertEquals(5, a.statuses(T0 + S).get(2).remaining(), "nor from the tenant's");
        LimitResult ok = a.tryConsume(1, T0 + 12 * S);
        assertTrue(ok.admitted());
        assertEquals(List.of(new RateLimitStatus("owner", 5, 60, 0, 60), new RateLimitStatus("burst", 3, 1, 2, 1),
                new RateLimitStatus("tenant", 8, 60, 5, 18)), ok.statuses());
        assertTrue(a.tryConsume(4, T0).exceedsCapacity());
    }

    /** Rounds of the concurrency test: many in process, fewer where each request is a round trip. */
    protected int rounds() {
        return 50;
    }

    @Test
    void sixteenThreadsOnTwoKeysOfOneOwnerTakeExactlyTheOwnersCapacity() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (int round = 0; round < rounds(); round++) {
                LimiterFactory fresh = f;
                String o = n("o" + round);
                RateLimit owner = new RateLimit("owner", 300, Duration.ofHours(1)).withScope(Scope.OWNER);
                RateLimit own = new RateLimit("own", 250, Duration.ofHours(1));
                List<RateLimiter> keys = List.of(fresh.create(key(n("a" + round), n("t"), o), List.of(own, owner)), fresh.create(key(n("b" + round), n("t"), o), List.of(owner, own)));
                CyclicBarrier start = new CyclicBarrier(16);
                List<Future<int[]>> counts = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    RateLimiter l = keys.get(t % 2);
                    counts.add(pool.submit(() -> {
                        start.await();
                        int n = 0;
                        for (int i = 0; i < 40; i++) if (l.tryConsume(1, T0).admitted()) n++;
                        return new int[] {n};
                    }));
                }
                int admitted = 0;
                for (Future<int[]> c : counts) admitted += c.get(1, TimeUnit.MINUTES)[0];
                assertEquals(300, admitted, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void throughTheVerifierAnOwnerChangeMovesTheKeyToTheNewOwnersBucket() {
        ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
        try (Keys keys = Keys.builder().clock(clock).limiters(f).verifier(v -> v.syncInterval(Duration.ZERO)).build()) {
            IssuedKey a = keys.manager().create(NewKey.builder("sk_test").tenant(n("t")).ownerId(n("acme")).ratelimits(OWNER).build(), SYSTEM);
            IssuedKey b = keys.manager().create(NewKey.builder("sk_test").tenant(n("t")).ownerId(n("acme")).ratelimits(OWNER).build(), SYSTEM);
            for (int i = 0; i < 5; i++) assertEquals(Outcome.VALID, keys.verifier().verify((i % 2 == 0 ? a : b).plaintext()).outcome());
            assertEquals(Outcome.RATE_LIMITED, keys.verifier().verify(b.plaintext()).outcome(), "five for acme, whichever key");
            keys.manager().update(b.key().id(), k -> k.name("renamed"), SYSTEM);
            assertEquals(Outcome.RATE_LIMITED, keys.verifier().verify(b.plaintext()).outcome(), "a rename keeps the bucket");
            keys.manager().update(b.key().id(), k -> k.ownerId(n("globex")), SYSTEM);
            assertEquals(Outcome.VALID, keys.verifier().verify(b.plaintext()).outcome(), "globex has a bucket of its own");
            assertEquals(Outcome.RATE_LIMITED, keys.verifier().verify(a.plaintext()).outcome());
        }
    }
}
