package dev.keys.test;

import dev.keys.api.UsageCounters;
import dev.keys.api.UsageCounters.Added;
import dev.keys.api.UsageCounters.Increment;
import dev.keys.api.UsageCounters.Refused;
import dev.keys.api.UsageCounters.Result;
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
 * The behaviour every {@link UsageCounters} must have: additions within the limit, nothing added past it, several
 * counters added all or none, windows and counters apart, {@code set} resetting, and exactness when several
 * instances add at once. The memory, H2 and PostgreSQL counters all run it, and so can counters of your own.
 */
public abstract class UsageCountersSpec {

    /** Counters on an empty (or random-key) backend. */
    protected abstract UsageCounters counters();

    /** Another instance's counters on the same backend (its own connections); the same object for a memory store. */
    protected abstract UsageCounters otherInstance();

    protected static String key() {
        return "key_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    /** One increment: the counter's value after it, or -1 when it was refused. */
    protected static long add(UsageCounters c, String keyId, String counter, long window, long amount, long limit) {
        Result r = c.tryAddAll(keyId, List.of(new Increment(counter, window, amount, limit)));
        return r instanceof Added ? r.value(0) : -1;
    }

    @Test
    void addsWithinTheLimitAndNothingPastIt() {
        UsageCounters c = counters();
        String k = key();
        assertEquals(0, c.get(k, "quota", 100));
        assertEquals(3, add(c, k, "quota", 100, 3, 5));
        assertEquals(5, add(c, k, "quota", 100, 2, 5));
        assertEquals(-1, add(c, k, "quota", 100, 1, 5));
        assertEquals(5, c.get(k, "quota", 100));
        assertEquals(-1, add(c, k, "quota", 100, 1, 5));
        assertEquals(6, add(c, k, "quota", 100, 1, 6), "a raised limit admits again");
    }

    @Test
    void aFirstAdditionPastTheLimitAddsNothing() {
        UsageCounters c = counters();
        String k = key();
        assertEquals(-1, add(c, k, "quota", 0, 7, 5));
        assertEquals(0, c.get(k, "quota", 0));
        assertEquals(5, add(c, k, "quota", 0, 5, 5));
        assertEquals(new Refused(0, List.of(0L)), c.tryAddAll(key(), List.of(new Increment("uses", 0, 1, 0))), "a limit of 0 admits nothing");
    }

    @Test
    void keysCountersAndWindowsAreApart() {
        UsageCounters c = counters();
        String k = key(), other = key();
        add(c, k, "quota", 100, 1, 10);
        add(c, k, "quota", 200, 2, 10);
        add(c, k, "uses", 100, 3, 10);
        add(c, other, "quota", 100, 4, 10);
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
        add(c, k, "uses", 0, 1, 10);
        c.set(k, "uses", 0, 0);
        assertEquals(0, c.get(k, "uses", 0));
        assertEquals(1, add(c, k, "uses", 0, 1, 1));
        assertEquals(-1, add(c, k, "uses", 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> c.set(k, "uses", 0, -1), "a counter is never negative");
    }

    @Test
    void severalCountersAreAddedTogetherOrNotAtAll() {
        UsageCounters c = counters();
        String k = key();
        List<Increment> request = List.of(new Increment("quota", 100, 1, 5), new Increment("uses", 0, 1, 2));
        assertEquals(new Added(List.of(1L, 1L)), c.tryAddAll(k, request));
        assertEquals(new Added(List.of(2L, 2L)), c.tryAddAll(k, request));
        assertEquals(new Refused(1, List.of(2L, 2L)), c.tryAddAll(k, request), "the uses refuse; the answer holds both values");
        assertEquals(2, c.get(k, "quota", 100), "and the quota was not taken");
        assertEquals(2, c.get(k, "uses", 0));
        // A counter not used yet (a new period) is not created by a refusal either.
        assertEquals(new Refused(1, List.of(0L, 2L)), c.tryAddAll(k, List.of(new Increment("quota", 200, 1, 5), new Increment("uses", 0, 1, 2))));
        assertEquals(0, c.get(k, "quota", 200));
        c.set(k, "uses", 0, 0);
        assertEquals(new Added(List.of(1L, 1L)), c.tryAddAll(k, List.of(new Increment("quota", 200, 1, 5), new Increment("uses", 0, 1, 2))));
    }

    @Test
    void theFirstIncrementThatWouldPassItsLimitIsNamed() {
        UsageCounters c = counters();
        String k = key();
        c.set(k, "quota", 100, 5);
        c.set(k, "uses", 0, 2);
        assertEquals(new Refused(0, List.of(5L, 2L)), c.tryAddAll(k, List.of(new Increment("quota", 100, 1, 5), new Increment("uses", 0, 1, 2))));
        assertEquals(new Refused(0, List.of(2L, 5L)), c.tryAddAll(k, List.of(new Increment("uses", 0, 1, 2), new Increment("quota", 100, 1, 5))));
        assertEquals(new Refused(1, List.of(0L, 0L)), c.tryAddAll(key(), List.of(new Increment("uses", 0, 3, 10), new Increment("quota", 100, 7, 5))),
                "an addition past the limit of a counter never used refuses the others too");
    }

    @Test
    void malformedCallsAreRefused() {
        UsageCounters c = counters();
        assertThrows(IllegalArgumentException.class, () -> c.tryAddAll(key(), List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> c.tryAddAll(key(), List.of(new Increment("quota", 1, 1, 5), new Increment("quota", 1, 1, 5))));
        assertThrows(IllegalArgumentException.class, () -> new Increment("quota", 1, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> new Increment("quota", 1, -1, 5));
        assertThrows(IllegalArgumentException.class, () -> new Increment("quota", 1, 1, -1));
    }

    @Test
    void twoInstancesHammeringOneQuotaAdmitExactlyTheQuota() throws Exception {
        UsageCounters a = counters(), b = otherInstance();
        String k = key();
        long limit = 300;
        List<Long> admitted = hammer(a, b, 3, k, List.of(new Increment("quota", 42, 1, limit)), 0);
        assertEquals(limit, admitted.stream().mapToLong(Long::longValue).sum());
        assertEquals(limit, a.get(k, "quota", 42));
        assertEquals(limit, b.get(k, "quota", 42));
    }

    @Test
    void manyThreadsOnTwoInstancesTakeBothCountersTogetherAndNeverPassEither() throws Exception {
        UsageCounters a = counters(), b = otherInstance();
        String k = key();
        long quota = 200, uses = 150;
        List<Increment> request = List.of(new Increment("quota", 7, 1, quota), new Increment("uses", 0, 1, uses));
        // Only the uses can refuse: taken all or none, the quota never counts more than the uses (150 < 200).
        List<Long> admitted = hammer(a, b, 4, k, request, 1);
        assertEquals(uses, admitted.stream().mapToLong(Long::longValue).sum());
        assertEquals(uses, a.get(k, "quota", 7), "every admitted request took its quota, no refused one did");
        assertEquals(uses, b.get(k, "uses", 0));
    }

    /**
     * Runs {@code threadsEach} threads on each instance, each adding {@code request} until it has seen 20 refusals,
     * every refusal naming increment {@code refusing}; answers how many each thread had admitted.
     */
    private static List<Long> hammer(UsageCounters a, UsageCounters b, int threadsEach, String k, List<Increment> request,
                                     int refusing) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2 * threadsEach);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Long>> futures = new ArrayList<>();
            for (int t = 0; t < 2 * threadsEach; t++) {
                UsageCounters c = t % 2 == 0 ? a : b;
                futures.add(pool.submit(() -> {
                    start.await();
                    long n = 0, last = 0;
                    // Keep going past the first refusal for a while: refusals must stay refusals.
                    for (int refused = 0; refused < 20; ) {
                        Result r = c.tryAddAll(k, request);
                        for (int i = 0; i < request.size(); i++) {
                            assertTrue(r.value(i) <= request.get(i).limit(), "never past a limit: " + r);
                        }
                        if (r instanceof Refused f) {
                            assertEquals(refusing, f.index(), r.toString());
                            refused++;
                        } else {
                            assertTrue(r.value(0) > last, "values only grow");
                            last = r.value(0);
                            n++;
                        }
                    }
                    return n;
                }));
            }
            start.countDown();
            List<Long> admitted = new ArrayList<>();
            for (Future<Long> f : futures) admitted.add(f.get(60, TimeUnit.SECONDS));
            return admitted;
        } finally {
            pool.shutdownNow();
        }
    }
}
