package dev.keys.jdbc;

import dev.keys.api.UsageCounters;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The behaviour every {@link UsageCounters} must have: additions within the limit, nothing added past it, windows
 * and counters apart, {@code set} resetting, and exactness when several instances add at once.
 */
abstract class UsageCountersSpec {

    /** Counters on an empty (or random-key) backend. */
    protected abstract UsageCounters counters();

    /** Another instance's counters on the same backend (its own connections). */
    protected abstract UsageCounters otherInstance();

    static String key() {
        return "key_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    @Test
    void addsWithinTheLimitAndNothingPastIt() {
        UsageCounters c = counters();
        String k = key();
        assertEquals(0, c.get(k, "quota", 100));
        assertEquals(3, c.tryAdd(k, "quota", 100, 3, 5));
        assertEquals(5, c.tryAdd(k, "quota", 100, 2, 5));
        assertEquals(-1, c.tryAdd(k, "quota", 100, 1, 5));
        assertEquals(5, c.get(k, "quota", 100));
        assertEquals(-1, c.tryAdd(k, "quota", 100, 1, 5));
        assertEquals(6, c.tryAdd(k, "quota", 100, 1, 6), "a raised limit admits again");
    }

    @Test
    void aFirstAdditionPastTheLimitAddsNothing() {
        UsageCounters c = counters();
        String k = key();
        assertEquals(-1, c.tryAdd(k, "quota", 0, 7, 5));
        assertEquals(0, c.get(k, "quota", 0));
        assertEquals(5, c.tryAdd(k, "quota", 0, 5, 5));
    }

    @Test
    void keysCountersAndWindowsAreApart() {
        UsageCounters c = counters();
        String k = key(), other = key();
        c.tryAdd(k, "quota", 100, 1, 10);
        c.tryAdd(k, "quota", 200, 2, 10);
        c.tryAdd(k, "uses", 100, 3, 10);
        c.tryAdd(other, "quota", 100, 4, 10);
        assertEquals(1, c.get(k, "quota", 100));
        assertEquals(2, c.get(k, "quota", 200));
        assertEquals(3, c.get(k, "uses", 100));
        assertEquals(4, c.get(other, "quota", 100));
    }

    @Test
    void setReplacesTheValue() {
        UsageCounters c = counters();
        String k = key();
        c.set(k, "uses", 0, 4);
        assertEquals(4, c.get(k, "uses", 0));
        c.tryAdd(k, "uses", 0, 1, 10);
        c.set(k, "uses", 0, 0);
        assertEquals(0, c.get(k, "uses", 0));
        assertEquals(1, c.tryAdd(k, "uses", 0, 1, 1));
        assertEquals(-1, c.tryAdd(k, "uses", 0, 1, 1));
    }

    @Test
    void twoInstancesHammeringOneQuotaAdmitExactlyTheQuota() throws Exception {
        UsageCounters a = counters(), b = otherInstance();
        String k = key();
        long limit = 300;
        int threadsEach = 3;
        ExecutorService pool = Executors.newFixedThreadPool(2 * threadsEach);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Long>> admitted = new ArrayList<>();
            for (int t = 0; t < 2 * threadsEach; t++) {
                UsageCounters c = t % 2 == 0 ? a : b;
                admitted.add(pool.submit(() -> {
                    start.await();
                    long n = 0, last = 0;
                    // Keep going past the first refusal for a while: refusals must stay refusals.
                    for (int refused = 0; refused < 20; ) {
                        long v = c.tryAdd(k, "quota", 42, 1, limit);
                        if (v < 0) {
                            refused++;
                        } else {
                            assertTrue(v > last || last == 0, "values only grow");
                            last = v;
                            n++;
                        }
                    }
                    return n;
                }));
            }
            start.countDown();
            long total = 0;
            for (Future<Long> f : admitted) total += f.get(60, TimeUnit.SECONDS);
            assertEquals(limit, total);
            assertEquals(limit, a.get(k, "quota", 42));
            assertEquals(limit, b.get(k, "quota", 42));
        } finally {
            pool.shutdownNow();
        }
    }
}
