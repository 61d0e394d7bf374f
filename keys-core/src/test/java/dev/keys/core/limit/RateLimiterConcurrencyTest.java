package dev.keys.core.limit;

import dev.keys.api.RateLimit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stress: many threads on one limiter never take more than there is. Counts, not timings, are asserted. */
class RateLimiterConcurrencyTest {
    static final int THREADS = 8;
    static final int ROUNDS = 200;
    static final long T0 = 1_700_000_000_000_000_000L;
    static ExecutorService pool;

    @BeforeAll
    static void start() {
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    static RateLimiter limiter(String shape) {
        RateLimit burst = new RateLimit("burst", 100, Duration.ofSeconds(1), 300);
        RateLimit sustained = new RateLimit("sustained", 1000, Duration.ofMinutes(1), 301);
        return switch (shape) {
            case "single" -> RateLimiter.of(List.of(burst));
            case "multi" -> RateLimiter.of(List.of(burst, sustained));
            case "exact" -> RateLimiter.of(List.of(burst, sustained), RateLimiter.Form.EXACT);
            case "threeGcra" -> RateLimiter.of(List.of(burst, sustained, new RateLimit("day", 10_000, Duration.ofDays(1), 302)));
            case "three" -> RateLimiter.of(List.of(burst, sustained, new RateLimit("x", 3, Duration.ofSeconds(1), 500)));
            default -> throw new IllegalArgumentException(shape);
        };
    }

    @ParameterizedTest
    @CsvSource({"single,1", "single,7", "multi,1", "multi,7", "exact,1", "exact,7", "threeGcra,1", "threeGcra,7", "three,1"})
    void frozenClockAdmitsExactlyTheCapacity(String shape, long cost) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            RateLimiter l = limiter(shape);
            long admitted = run(THREADS, () -> {
                long n = 0;
                for (int i = 0; i < 60; i++) if (l.tryConsume(cost, T0).admitted()) n++;
                return n;
            });
            assertEquals(300 / cost, admitted, shape + " round " + round);
        }
    }

    @ParameterizedTest
    @CsvSource({"single", "multi", "exact", "threeGcra"})
    void movingClockNeverAdmitsMoreThanCapacityPlusRefill(String shape) throws Exception {
        for (int round = 0; round < ROUNDS / 4; round++) {
            RateLimiter l = limiter(shape);
            AtomicLong clock = new AtomicLong(T0);
            long admitted = run(THREADS, () -> {
                long n = 0;
                for (int i = 0; i < 200; i++) {
                    long now = clock.addAndGet(1_000_000L); // 1 ms per attempt, across all threads
                    if (l.tryConsume(1, now).admitted()) n++;
                }
                return n;
            });
            long elapsedMs = clock.get() - T0 == 0 ? 0 : (clock.get() - T0) / 1_000_000L;
            long bound = 300 + elapsedMs / 10; // burst: capacity 300, a token per 10 ms
            assertTrue(admitted <= bound, shape + " admitted " + admitted + " > " + bound);
            assertTrue(admitted >= 300, shape + " admitted only " + admitted);
        }
    }

    interface Task {
        long call() throws Exception;
    }

    static long run(int threads, Task task) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<Long>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(pool.submit(() -> {
                start.await();
                return task.call();
            }));
        }
        long sum = 0;
        for (Future<Long> f : fs) sum += f.get(30, TimeUnit.SECONDS);
        return sum;
    }
}
