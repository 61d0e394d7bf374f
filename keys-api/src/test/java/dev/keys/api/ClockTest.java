package dev.keys.api;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 14 item 1: nanoseconds since the epoch end in 2262; later (and far earlier) instants saturate. */
class ClockTest {
    @Test
    void toNanosIsExactInsideTheLongRange() {
        assertEquals(0, Clock.toNanos(Instant.EPOCH));
        assertEquals(-1, Clock.toNanos(Instant.EPOCH.minusNanos(1)));
        assertEquals(Long.MAX_VALUE, Clock.toNanos(Instant.ofEpochSecond(0, Long.MAX_VALUE)));
        assertEquals(Long.MIN_VALUE, Clock.toNanos(Instant.ofEpochSecond(0, Long.MIN_VALUE)));
    }

    @Test
    void toNanosSaturatesInsteadOfThrowing() {
        assertEquals(Long.MAX_VALUE, Clock.toNanos(Instant.parse("2262-04-11T23:47:16.854775808Z")));
        assertEquals(Long.MAX_VALUE, Clock.toNanos(Instant.parse("9999-12-31T23:59:59Z")));
        assertEquals(Long.MAX_VALUE, Clock.toNanos(Instant.MAX));
        assertEquals(Long.MIN_VALUE, Clock.toNanos(Instant.parse("1677-09-21T00:12:43.145224191Z")));
        assertEquals(Long.MIN_VALUE, Clock.toNanos(Instant.MIN));
    }
}
