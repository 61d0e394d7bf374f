package dev.keys.core.store;

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

class InMemoryUsageCountersTest {

    @Test
    void addsUpToTheLimitAndNoFurther() {
        InMemoryUsageCounters c = new InMemoryUsageCounters();
        assertEquals(0, c.get("k", "quota", 100));
        assertEquals(3, c.tryAdd("k", "quota", 100, 3, 5));
        assertEquals(5, c.tryAdd("k", "quota", 100, 2, 5));
        assertEquals(-1, c.tryAdd("k", "quota", 100, 1, 5));
        assertEquals(5, c.get("k", "quota", 100));
        assertEquals(0, c.get("k", "uses", 0));
        assertEquals(0, c.get("other", "quota", 100));
        assertEquals(4, c.tryAdd("k", "quota", 100, -1, Long.MAX_VALUE), "a negative add gives back");
        assertEquals(-1, c.tryAdd("k", "quota", 100, -5, Long.MAX_VALUE), "never below zero");
        assertEquals(-1, c.tryAdd("k", "quota", 100, Long.MAX_VALUE, Long.MAX_VALUE), "never overflows");
    }

    @Test
    void keepsTheCurrentAndPreviousWindowOnly() {
        InMemoryUsageCounters c = new InMemoryUsageCounters();
        c.tryAdd("k", "quota", 100, 4, 10);
        c.tryAdd("k", "quota", 200, 1, 10);
        assertEquals(4, c.get("k", "quota", 100));
        assertEquals(5, c.tryAdd("k", "quota", 100, 1, 10), "a late request still counts in its period");
        c.tryAdd("k", "quota", 300, 2, 10);
        assertEquals(0, c.get("k", "quota", 100), "dropped");
        assertEquals(-1, c.tryAdd("k", "quota", 100, 1, 10), "a dropped window fails closed");
        assertEquals(1, c.get("k", "quota", 200));
        assertEquals(2, c.get("k", "quota", 300));
        assertEquals(1, c.size());
    }

    @Test
    void setReplacesAValueAndRemoveForgetsAKey() {
        InMemoryUsageCounters c = new InMemoryUsageCounters();
        c.tryAdd("k", "uses", 0, 7, 10);
        c.set("k", "uses", 0, 0);
        assertEquals(10, c.tryAdd("k", "uses", 0, 10, 10));
        c.tryAdd("j", "uses", 0, 1, 10);
        c.remove("k");
        assertEquals(0, c.get("k", "uses", 0));
        assertEquals(1, c.get("j", "uses", 0));
        assertThrows(IllegalArgumentException.class, () -> c.set("k", "uses", 0, -1));
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
                        for (int i = 0; i < 100; i++) if (c.tryAdd("k", "quota", 1, 1 + (i % 2), 500) >= 0) ok += 1 + (i % 2);
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
