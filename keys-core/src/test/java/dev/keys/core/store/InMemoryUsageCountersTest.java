package dev.keys.core.store;

import dev.keys.api.UsageCounters;
import dev.keys.api.UsageCounters.Increment;
import dev.keys.api.UsageCounters.Refused;
import dev.keys.test.UsageCountersSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryUsageCountersTest extends UsageCountersSpec {
    final InMemoryUsageCounters shared = new InMemoryUsageCounters();

    @Override
    protected UsageCounters counters() {
        return shared;
    }

    @Override
    protected UsageCounters otherInstance() {
        return shared;
    }

    @Test
    void addsUpToTheLimitAndNeverOverflows() {
        InMemoryUsageCounters c = new InMemoryUsageCounters();
        assertEquals(0, c.get("k", "quota", 100));
        assertEquals(3, add(c, "k", "quota", 100, 3, 5));
        assertEquals(5, add(c, "k", "quota", 100, 2, 5));
        assertEquals(-1, add(c, "k", "quota", 100, 1, 5));
        assertEquals(5, c.get("k", "quota", 100));
        assertEquals(0, c.get("k", "uses", 0));
        assertEquals(0, c.get("other", "quota", 100));
        assertThrows(IllegalArgumentException.class, () -> new Increment("quota", 100, -1, Long.MAX_VALUE), "nothing is given back");
        assertEquals(-1, add(c, "k", "quota", 100, Long.MAX_VALUE, Long.MAX_VALUE), "never overflows");
        c.set("k", "quota", 100, Long.MAX_VALUE);
        assertEquals(-1, add(c, "k", "quota", 100, 1, Long.MAX_VALUE), "never overflows");
    }

    @Test
    void keepsTheCurrentAndPreviousWindowOnly() {
        InMemoryUsageCounters c = new InMemoryUsageCounters();
        add(c, "k", "quota", 100, 4, 10);
        add(c, "k", "quota", 200, 1, 10);
        assertEquals(4, c.get("k", "quota", 100));
        assertEquals(5, add(c, "k", "quota", 100, 1, 10), "a late request still counts in its period");
        add(c, "k", "quota", 300, 2, 10);
        assertEquals(0, c.get("k", "quota", 100), "dropped");
        assertEquals(-1, add(c, "k", "quota", 100, 1, 10), "a dropped window fails closed");
        assertEquals(new Refused(1, List.of(2L, 0L)), c.tryAddAll("k", List.of(new Increment("quota", 300, 1, 10), new Increment("quota", 100, 1, 10))),
                "and refuses the other counters of its call");
        assertEquals(2, c.get("k", "quota", 300));
        assertEquals(1, c.get("k", "quota", 200));
        assertEquals(2, c.get("k", "quota", 300));
        assertEquals(1, c.size());
    }

    @Test
    void setReplacesAValueAndRemoveForgetsAKey() {
        InMemoryUsageCounters c = new InMemoryUsageCounters();
        add(c, "k", "uses", 0, 7, 10);
        c.set("k", "uses", 0, 0);
        assertEquals(10, add(c, "k", "uses", 0, 10, 10));
        add(c, "j", "uses", 0, 1, 10);
        c.remove("k");
        assertEquals(0, c.get("k", "uses", 0));
        assertEquals(1, c.get("j", "uses", 0));
        assertThrows(IllegalArgumentException.class, () -> c.set("k", "uses", 0, -1));
    }

    @Test
    void aRefusalCreatesNothing() {
        InMemoryUsageCounters c = new InMemoryUsageCounters();
        add(c, "k", "quota", 0, 11, 10);
        assertEquals(0, c.size());
    }

    @Test
    void exactUnderConcurrency() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 50; round++) {
                InMemoryUsageCounters c = new InMemoryUsageCounters();
                CyclicBarrier start = new CyclicBarrier(8);
                List<Future<Integer>> fs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    fs.add(pool.submit(() -> {
                        start.await();
                        int ok = 0;
                        for (int i = 0; i < 100; i++) if (add(c, "k", "quota", 1, 1 + (i % 2), 500) >= 0) ok += 1 + (i % 2);
                        return ok;
                    }));
                }
                int sum = 0;
                for (Future<Integer> f : fs) sum += f.get(30, TimeUnit.SECONDS);
                assertEquals(c.get("k", "quota", 1), sum);
                assertTrue(sum == 500 || sum == 499, "every unit accounted and never past the limit: " + sum);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
