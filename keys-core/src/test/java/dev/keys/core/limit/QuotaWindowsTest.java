package dev.keys.core.limit;

import dev.keys.api.QuotaPeriod;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import static dev.keys.api.QuotaPeriod.DAY;
import static dev.keys.api.QuotaPeriod.MONTH;
import static dev.keys.api.QuotaPeriod.WEEK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class QuotaWindowsTest {
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    static long at(ZoneId z, String localDateTime) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(localDateTime), z).toEpochSecond();
    }

    static void assertPeriod(QuotaWindows w, QuotaPeriod p, ZoneId z, String now, String start, String end) {
        long t = at(z, now);
        assertEquals(at(z, start), w.start(p, t), p + " start of " + now);
        assertEquals(at(z, end), w.end(p, t), p + " end of " + now);
    }

    @Test
    void daysRollOverAtLocalMidnight() {
        QuotaWindows w = QuotaWindows.of(BERLIN, 1, DayOfWeek.MONDAY);
        assertPeriod(w, DAY, BERLIN, "2025-06-10T23:59:59", "2025-06-10T00:00", "2025-06-11T00:00");
        assertPeriod(w, DAY, BERLIN, "2025-06-11T00:00:00", "2025-06-11T00:00", "2025-06-12T00:00");
        // 22:30 UTC is already the next day in Berlin (UTC+2 in summer)
        long utc = ZonedDateTime.parse("2025-06-10T22:30:00Z").toEpochSecond();
        assertEquals(at(BERLIN, "2025-06-11T00:00"), w.start(DAY, utc));
    }

    @Test
    void dstDaysLast23And25Hours() {
        QuotaWindows berlin = QuotaWindows.of(BERLIN, 1, DayOfWeek.MONDAY);
        long spring = at(BERLIN, "2025-03-30T12:00");
        assertEquals(23 * 3600, berlin.end(DAY, spring) - berlin.start(DAY, spring));
        long autumn = at(BERLIN, "2025-10-26T12:00");
        assertEquals(25 * 3600, berlin.end(DAY, autumn) - berlin.start(DAY, autumn));
        QuotaWindows ny = QuotaWindows.of(NEW_YORK, 1, DayOfWeek.SUNDAY);
        long nySpring = at(NEW_YORK, "2025-03-09T01:59:59");
        assertEquals(at(NEW_YORK, "2025-03-09T00:00"), ny.start(DAY, nySpring));
        assertEquals(23 * 3600, ny.end(DAY, nySpring) - ny.start(DAY, nySpring));
        // the week holding the change lasts 7 days less an hour
        assertEquals(7 * 86400 - 3600, ny.end(WEEK, nySpring) - ny.start(WEEK, nySpring));
        assertEquals(at(NEW_YORK, "2025-03-09T00:00"), ny.start(WEEK, nySpring), "2025-03-09 is a Sunday");
    }

    @Test
    void weeksStartOnTheConfiguredDay() {
        QuotaWindows monday = QuotaWindows.of(BERLIN, 1, DayOfWeek.MONDAY);
        assertPeriod(monday, WEEK, BERLIN, "2025-06-15T23:00", "2025-06-09T00:00", "2025-06-16T00:00"); // Sunday
        assertPeriod(monday, WEEK, BERLIN, "2025-06-16T00:00", "2025-06-16T00:00", "2025-06-23T00:00");
        QuotaWindows sunday = QuotaWindows.of(BERLIN, 1, DayOfWeek.SUNDAY);
        assertPeriod(sunday, WEEK, BERLIN, "2025-06-15T23:00", "2025-06-15T00:00", "2025-06-22T00:00");
    }

    @Test
    void monthsRunFromTheAnchorDay() {
        QuotaWindows first = QuotaWindows.of(NEW_YORK, 1, DayOfWeek.MONDAY);
        assertPeriod(first, MONTH, NEW_YORK, "2025-02-28T23:59:59", "2025-02-01T00:00", "2025-03-01T00:00");
        assertPeriod(first, MONTH, NEW_YORK, "2025-03-01T00:00", "2025-03-01T00:00", "2025-04-01T00:00");
        QuotaWindows fifteenth = QuotaWindows.of(NEW_YORK, 15, DayOfWeek.MONDAY);
        assertPeriod(fifteenth, MONTH, NEW_YORK, "2025-01-14T23:59:59", "2024-12-15T00:00", "2025-01-15T00:00");
        assertPeriod(fifteenth, MONTH, NEW_YORK, "2025-01-15T00:00", "2025-01-15T00:00", "2025-02-15T00:00");
    }

    @Test
    void anchorPastTheEndOfAShortMonthUsesItsLastDay() {
        QuotaWindows w = QuotaWindows.of(BERLIN, 31, DayOfWeek.MONDAY);
        assertPeriod(w, MONTH, BERLIN, "2025-02-10T12:00", "2025-01-31T00:00", "2025-02-28T00:00");
        assertPeriod(w, MONTH, BERLIN, "2025-02-28T00:00", "2025-02-28T00:00", "2025-03-31T00:00");
        assertPeriod(w, MONTH, BERLIN, "2025-03-30T23:59", "2025-02-28T00:00", "2025-03-31T00:00");
        assertPeriod(w, MONTH, BERLIN, "2025-04-30T00:00", "2025-04-30T00:00", "2025-05-31T00:00");
        assertPeriod(w, MONTH, BERLIN, "2024-02-29T00:00", "2024-02-29T00:00", "2024-03-31T00:00"); // leap year
        assertPeriod(w, MONTH, BERLIN, "2024-02-28T23:00", "2024-01-31T00:00", "2024-02-29T00:00");
        QuotaWindows thirtieth = QuotaWindows.of(BERLIN, 30, DayOfWeek.MONDAY);
        assertPeriod(thirtieth, MONTH, BERLIN, "2025-03-01T00:00", "2025-02-28T00:00", "2025-03-30T00:00");
        // the month holding the spring change is one hour short
        long march = at(BERLIN, "2025-03-15T00:00");
        assertEquals(31 * 86400 - 3600, w.end(MONTH, march) - w.start(MONTH, march));
    }

    @Test
    void rejectsAnAnchorOutsideOneTo31() {
        assertThrows(IllegalArgumentException.class, () -> QuotaWindows.of(BERLIN, 0, DayOfWeek.MONDAY));
        assertThrows(IllegalArgumentException.class, () -> QuotaWindows.of(BERLIN, 32, DayOfWeek.MONDAY));
    }
}
