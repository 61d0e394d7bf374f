package dev.keys.test;

import dev.keys.api.Clock;
import dev.keys.api.Outcome;
import dev.keys.api.UsageCount;
import dev.keys.api.UsageEvent;
import dev.keys.api.UsageLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The behaviour every {@link UsageLog} must have: verifications counted per key, period (a minute, an hour, a day,
 * aligned to UTC) and outcome, oldest period first and outcomes in their declared order within a period. The memory,
 * H2 and PostgreSQL logs all run it, and so can a log of your own. Bounds are whole minutes, as every log counts in
 * minutes.
 */
public abstract class UsageLogSpec {
    protected static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    protected UsageLog log;

    /** An empty log. */
    protected abstract UsageLog newLog();

    /** Makes every event recorded so far visible to {@code counts}: a log that writes in batches flushes here. */
    protected void flush() {
    }

    @BeforeEach
    void setUpLog() {
        log = newLog();
    }

    @AfterEach
    void closeLog() throws Exception {
        if (log instanceof AutoCloseable c) c.close();
    }

    protected static UsageEvent at(String key, Outcome o, Instant t) {
        return new UsageEvent(key, "t", o, Clock.toNanos(t));
    }

    private List<UsageCount> counts(String key, Instant from, Instant to, Duration granularity) {
        flush();
        return log.counts(key, from, to, granularity);
    }

    @Test
    void aggregatesByPeriodAndOutcomeOldestFirst() {
        log.record(at("k", Outcome.VALID, T0.plusSeconds(5)));
        log.record(at("k", Outcome.VALID, T0.plusSeconds(50)));
        log.record(at("k", Outcome.RATE_LIMITED, T0.plusSeconds(59)));
        log.record(at("k", Outcome.VALID, T0.plusSeconds(61)));
        log.record(at("other", Outcome.VALID, T0.plusSeconds(1)));
        assertEquals(List.of(
                new UsageCount("k", T0, Outcome.VALID, 2),
                new UsageCount("k", T0, Outcome.RATE_LIMITED, 1),
                new UsageCount("k", T0.plusSeconds(60), Outcome.VALID, 1)),
                counts("k", T0, T0.plusSeconds(3600), Duration.ofMinutes(1)));
        assertEquals(List.of(
                new UsageCount("k", T0, Outcome.VALID, 3),
                new UsageCount("k", T0, Outcome.RATE_LIMITED, 1)),
                counts("k", T0, T0.plusSeconds(3600), Duration.ofHours(1)));
        assertEquals(List.of(new UsageCount("k", T0.plusSeconds(60), Outcome.VALID, 1)),
                counts("k", T0.plusSeconds(60), T0.plusSeconds(120), Duration.ofMinutes(1)));
        assertEquals(List.of(new UsageCount("other", T0, Outcome.VALID, 1)), counts("other", T0, T0.plusSeconds(60), Duration.ofMinutes(1)));
        assertEquals(List.of(), counts("k", T0.plusSeconds(120), T0.plusSeconds(60), Duration.ofMinutes(1)));
        assertEquals(List.of(), counts("nobody", T0, T0.plusSeconds(3600), Duration.ofMinutes(1)));
    }

    @Test
    void laterEventsAddToTheSamePeriodsAndDaysAlignToUtc() {
        for (int i = 0; i < 5; i++) log.record(at("key_u", Outcome.VALID, T0.plusSeconds(i)));
        log.record(at("key_u", Outcome.RATE_LIMITED, T0.plusSeconds(30)));
        log.record(at("key_u", Outcome.VALID, T0.plusSeconds(61)));
        flush(); // written; what follows adds to the same minutes
        for (int i = 0; i < 3; i++) log.record(at("key_u", Outcome.VALID, T0.plusSeconds(10)));
        log.record(at("key_u", Outcome.VALID, T0.plusSeconds(7200)));
        log.record(at("key_u", Outcome.VALID, T0.plus(Duration.ofDays(1))));
        assertEquals(List.of(
                new UsageCount("key_u", T0, Outcome.VALID, 9),
                new UsageCount("key_u", T0, Outcome.RATE_LIMITED, 1)),
                counts("key_u", T0, T0.plusSeconds(3600), Duration.ofHours(1)));
        Instant day = Instant.parse("2026-03-01T00:00:00Z");
        assertEquals(List.of(
                new UsageCount("key_u", day, Outcome.VALID, 10),
                new UsageCount("key_u", day, Outcome.RATE_LIMITED, 1),
                new UsageCount("key_u", day.plus(Duration.ofDays(1)), Outcome.VALID, 1)),
                counts("key_u", day, day.plus(Duration.ofDays(2)), Duration.ofDays(1)));
    }

    @Test
    void granularityIsAWholeNumberOfMinutes() {
        for (Duration d : List.of(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(90), Duration.ofMillis(60_500))) {
            assertThrows(IllegalArgumentException.class, () -> log.counts("k", T0, T0.plusSeconds(3600), d), d.toString());
        }
    }
}
