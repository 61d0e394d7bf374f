package dev.keys.test;

import dev.keys.api.Lease;
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

import static org.junit.jupiter.api.Assertions.*;

/**
 * The behaviour every {@link Lease} must have: one owner at a time, renewed by its holder, free once it expires or
 * is released by its owner, and exactly one winner when many try at once. Time is a {@link ManualClock}: the
 * memory, H2 and PostgreSQL leases all run it, and so can a lease of your own.
 */
public abstract class LeaseSpec {
    protected static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    protected static final Duration TTL = Duration.ofMinutes(1);
    protected ManualClock clock;
    protected Lease lease;

    /** A lease on an empty backend, timed by {@code clock}. */
    protected abstract Lease newLease(ManualClock clock);

    @BeforeEach
    void setUpLease() {
        clock = new ManualClock(T0);
        lease = newLease(clock);
    }

    @Test
    void theFirstOwnerHoldsItAndRenewsWhileOthersWait() {
        assertTrue(lease.tryAcquire("sweep", "a", TTL));
        assertTrue(lease.tryAcquire("sweep", "a", TTL), "renewal");
        assertFalse(lease.tryAcquire("sweep", "b", TTL));
        clock.advance(Duration.ofSeconds(59));
        assertFalse(lease.tryAcquire("sweep", "b", TTL), "not expired yet");
    }

    @Test
    void anExpiredLeaseGoesToTheNextOwner() {
        assertTrue(lease.tryAcquire("sweep", "a", TTL));
        clock.advance(TTL);
        assertTrue(lease.tryAcquire("sweep", "b", TTL), "expired at its ttl");
        assertFalse(lease.tryAcquire("sweep", "a", TTL), "the old holder lost it");
    }

    @Test
    void renewingExtendsTheLease() {
        assertTrue(lease.tryAcquire("sweep", "a", TTL));
        clock.advance(Duration.ofSeconds(50));
        assertTrue(lease.tryAcquire("sweep", "a", TTL));
        clock.advance(Duration.ofSeconds(50));
        assertFalse(lease.tryAcquire("sweep", "b", TTL), "held until 50 s + ttl");
        clock.advance(Duration.ofSeconds(10));
        assertTrue(lease.tryAcquire("sweep", "b", TTL));
    }

    @Test
    void onlyTheOwnerReleases() {
        assertTrue(lease.tryAcquire("sweep", "a", TTL));
        lease.release("sweep", "b");
        assertFalse(lease.tryAcquire("sweep", "b", TTL), "only the owner releases");
        lease.release("sweep", "a");
        assertTrue(lease.tryAcquire("sweep", "b", TTL), "released early");
        lease.release("never-taken", "a");
    }

    @Test
    void namesAreApart() {
        assertTrue(lease.tryAcquire("sweep", "a", TTL));
        assertTrue(lease.tryAcquire("unused-keys", "b", TTL));
        assertFalse(lease.tryAcquire("unused-keys", "a", TTL));
    }

    @Test
    void theTtlMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> lease.tryAcquire("sweep", "a", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> lease.tryAcquire("sweep", "a", Duration.ofSeconds(-1)));
    }

    @Test
    void ofManyOwnersTakingALeaseAtOnceExactlyOneGetsIt() throws Exception {
        int n = 6;
        ExecutorService threads = Executors.newFixedThreadPool(n);
        try {
            for (int round = 0; round < 10; round++) {
                String name = "race-" + round;
                CyclicBarrier start = new CyclicBarrier(n);
                List<Future<Boolean>> got = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    String owner = "owner-" + i;
                    got.add(threads.submit(() -> {
                        start.await();
                        return lease.tryAcquire(name, owner, TTL);
                    }));
                }
                int winners = 0;
                for (Future<Boolean> f : got) if (f.get(30, TimeUnit.SECONDS)) winners++;
                assertEquals(1, winners, "round " + round);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
