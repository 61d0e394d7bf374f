package dev.keys.core.store;

import dev.keys.api.Outcome;
import dev.keys.api.UsageLog;
import dev.keys.test.ManualScheduler;
import dev.keys.test.UsageLogSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

class InMemoryUsageLogTest extends UsageLogSpec {

    @Override
    protected UsageLog newLog() {
        return log(1000, 1000, Duration.ofDays(7));
    }

    InMemoryUsageLog log(int queue, int rows, Duration retention) {
        return new InMemoryUsageLog(queue, rows, retention, Duration.ZERO);
    }

    @Test
    void recordNeverBlocksAndDropsBeyondTheQueue() {
        try (InMemoryUsageLog log = log(3, 1000, Duration.ofDays(1))) {
            for (int i = 0; i < 5; i++) log.record(at("k", Outcome.VALID, T0));
            assertEquals(2, log.dropped());
            assertEquals(3, log.counts("k", T0, T0.plusSeconds(60), Duration.ofMinutes(1)).get(0).count());
            log.record(at("k", Outcome.VALID, T0));
            assertEquals(4, log.counts("k", T0, T0.plusSeconds(60), Duration.ofMinutes(1)).get(0).count());
        }
    }

    @Test
    void memoryIsBoundedByRowsAndRetention() {
        try (InMemoryUsageLog log = log(1000, 3, Duration.ofMinutes(10))) {
            for (int m = 0; m < 5; m++) log.record(at("k", Outcome.VALID, T0.plusSeconds(60L * m)));
            log.drain();
            assertEquals(3, log.rows());
            assertEquals(T0.plusSeconds(120), log.counts("k", T0, T0.plusSeconds(3600), Duration.ofMinutes(1)).get(0).periodStart());
            log.record(at("k", Outcome.VALID, T0.plusSeconds(3600)));
            log.drain();
            assertEquals(1, log.rows());
        }
    }

    @Test
    void anyWholeNumberOfMinutesIsAGranularity() {
        try (InMemoryUsageLog log = log(10, 10, Duration.ofDays(1))) {
            log.record(at("k", Outcome.VALID, T0.plusSeconds(299)));
            assertEquals(T0, log.counts("k", T0, T0.plusSeconds(3600), Duration.ofMinutes(5)).get(0).periodStart());
        }
    }

    @Test
    void theDrainerFoldsEventsInTheBackground() {
        ManualScheduler scheduler = new ManualScheduler();
        try (InMemoryUsageLog log = new InMemoryUsageLog(10, 10, Duration.ofDays(1), Duration.ofMillis(100))) {
            log.record(at("k", Outcome.VALID, T0));
            assertEquals(0, scheduler.pending(), "nothing is scheduled before start");
            log.start(scheduler);
            log.start(scheduler);
            assertEquals(1, scheduler.pending(), "a second start is ignored");
            scheduler.advance(Duration.ofMillis(99));
            assertEquals(0, log.rows());
            scheduler.advance(Duration.ofMillis(1));
            assertEquals(1, log.rows());
        }
        assertEquals(0, scheduler.pending(), "close cancels the drain");
        assertFalse(scheduler.isShutdown(), "and leaves the scheduler alone");
    }

    @Test
    void withoutADrainIntervalNothingIsScheduled() {
        ManualScheduler scheduler = new ManualScheduler();
        try (InMemoryUsageLog log = log(10, 10, Duration.ofDays(1))) {
            log.start(scheduler);
            assertEquals(0, scheduler.pending());
        }
    }
}
