package dev.keys.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.keys.api.Clock;
import dev.keys.api.Outcome;
import dev.keys.api.StoreException;
import dev.keys.api.UsageCount;
import dev.keys.api.UsageEvent;
import dev.keys.test.ManualScheduler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What only the JDBC usage log adds to keys-test's spec (run by {@link JdbcSpecs}): counting in memory until a
 * flush, a bounded buffer, failed and scheduled flushes. On H2 and PostgreSQL.
 */
class JdbcLogsTest {
    static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class OnDatabase {
        TestDb db;
        HikariDataSource pool;
        JdbcStores stores;

        abstract TestDb open();

        @BeforeAll
        void up() {
            db = open();
            pool = db.pool(4);
        }

        @AfterAll
        void down() {
            if (db != null) db.close();
        }

        @BeforeEach
        void clear() {
            TestDb.clear(pool);
            stores = JdbcStores.builder(pool).usageFlushInterval(Duration.ZERO).build();
        }

        static UsageEvent use(String key, Outcome o, Instant at) {
            return new UsageEvent(key, "t", o, Clock.toNanos(at));
        }

        @Test
        void usageIsCountedInMemoryUntilAFlushWritesItAsMinuteRows() {
            JdbcUsageLog log = stores.usageLog();
            for (int i = 0; i < 5; i++) log.record(use("key_u", Outcome.VALID, T0.plusSeconds(i)));
            log.record(use("key_u", Outcome.RATE_LIMITED, T0.plusSeconds(30)));
            log.record(use("key_u", Outcome.VALID, T0.plusSeconds(61)));
            log.record(use("key_other", Outcome.VALID, T0));
            assertEquals(4, log.pendingSlots());
            assertTrue(log.counts("key_u", T0, T0.plusSeconds(3600), Duration.ofMinutes(1)).isEmpty(), "nothing written before a flush");
            log.flush();
            assertEquals(0, log.pendingSlots());
            assertEquals(List.of(
                    new UsageCount("key_u", T0, Outcome.VALID, 5),
                    new UsageCount("key_u", T0, Outcome.RATE_LIMITED, 1),
                    new UsageCount("key_u", T0.plusSeconds(60), Outcome.VALID, 1)),
                    log.counts("key_u", T0, T0.plusSeconds(3600), Duration.ofMinutes(1)));
            assertThrows(IllegalArgumentException.class, () -> log.counts("key_u", T0, T0, Duration.ofMinutes(5)), "one minute, hour or day only");
        }

        /** record() adds without a lock while flushes take the counts: every event lands in exactly one flush. */
        @Test
        void recordsRacingFlushesAreCountedOnce() throws Exception {
            JdbcUsageLog log = stores.usageLog();
            int threads = 4, each = 100_000;
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<Thread> recorders = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < each; i++) log.record(use("key_race", Outcome.VALID, T0));
                });
                th.start();
                recorders.add(th);
            }
            start.countDown();
            while (recorders.stream().anyMatch(Thread::isAlive)) log.flush();
            for (Thread th : recorders) th.join();
            log.flush();
            assertEquals(List.of(new UsageCount("key_race", T0, Outcome.VALID, (long) threads * each)),
                    log.counts("key_race", T0, T0.plusSeconds(60), Duration.ofMinutes(1)));
        }

        @Test
        void theBufferIsBoundedAndCloseWritesWhatIsLeft() {
            JdbcUsageLog log = new JdbcUsageLog(new Db(pool, stores.dialect(), Duration.ofSeconds(2)), Duration.ZERO, 3);
            for (int m = 0; m < 5; m++) log.record(use("key_b", Outcome.VALID, T0.plusSeconds(60L * m)));
            log.record(use("key_b", Outcome.VALID, T0));
            assertEquals(3, log.pendingSlots());
            assertEquals(2, log.dropped());
            log.close();
            log.record(use("key_b", Outcome.VALID, T0));
            assertEquals(3, log.dropped(), "a closed log takes nothing");
            long total = log.counts("key_b", T0, T0.plusSeconds(3600), Duration.ofHours(1)).stream().mapToLong(UsageCount::count).sum();
            assertEquals(4, total);
        }

        @Test
        void aFailedFlushKeepsTheCountsForTheNextOne() {
            ProbeDataSource flaky = new ProbeDataSource(pool, "keys_usage");
            JdbcUsageLog log = new JdbcUsageLog(new Db(flaky, stores.dialect(), Duration.ofSeconds(1)), Duration.ZERO, 100);
            log.record(use("key_f", Outcome.VALID, T0));
            log.record(use("key_f", Outcome.VALID, T0));
            flaky.down.set(true);
            StoreException.Unavailable e = assertThrows(StoreException.Unavailable.class, log::flush);
            assertTrue(e.getMessage().contains("usage flush"), e.getMessage());
            assertEquals(1, log.pendingSlots());
            log.record(use("key_f", Outcome.VALID, T0));
            flaky.down.set(false);
            log.flush();
            assertEquals(List.of(new UsageCount("key_f", T0, Outcome.VALID, 3)), log.counts("key_f", T0, T0.plusSeconds(60), Duration.ofMinutes(1)));
        }

        @Test
        void theScheduledFlushWritesEveryIntervalOnceStarted() {
            ManualScheduler scheduler = new ManualScheduler();
            try (JdbcStores timed = JdbcStores.builder(pool).usageFlushInterval(Duration.ofMillis(50)).build()) {
                JdbcUsageLog log = timed.usageLog();
                log.record(use("key_s", Outcome.VALID, T0));
                log.start(scheduler);
                log.start(scheduler);
                assertEquals(1, scheduler.pending(), "a second start is ignored");
                scheduler.advance(Duration.ofMillis(49));
                assertEquals(List.of(), log.counts("key_s", T0, T0.plusSeconds(60), Duration.ofMinutes(1)));
                scheduler.advance(Duration.ofMillis(1));
                assertEquals(List.of(new UsageCount("key_s", T0, Outcome.VALID, 1)), log.counts("key_s", T0, T0.plusSeconds(60), Duration.ofMinutes(1)));
            }
            assertEquals(0, scheduler.pending(), "close cancels the flush");
            assertFalse(scheduler.isShutdown());
        }
    }

    @Nested
    class H2 extends OnDatabase {
        @Override
        TestDb open() {
            return TestDb.h2();
        }
    }

    @Nested
    class Postgres extends OnDatabase {
        @Override
        TestDb open() {
            return TestDb.postgres();
        }
    }
}
