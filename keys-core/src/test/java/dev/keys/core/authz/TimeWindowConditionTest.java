package dev.keys.core.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keys.api.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TimeWindowConditionTest {

    private static boolean at(String condition, String instant) {
        return ((TimeWindowCondition) Condition.parse(condition)).holdsAt(Clock.toNanos(Instant.parse(instant)));
    }

    // 2025-03-07 is a Friday. Europe/Paris is UTC+1 until 2025-03-30 01:00Z, then UTC+2.
    @ParameterizedTest(name = "[{index}] {0} at {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            time Mon-Fri 09:00-17:00                   | 2025-03-07T09:00:00Z       | true
            time Mon-Fri 09:00-17:00                   | 2025-03-07T08:59:59Z       | false
            time Mon-Fri 09:00-17:00                   | 2025-03-07T16:59:59.999Z   | true
            time Mon-Fri 09:00-17:00                   | 2025-03-07T17:00:00Z       | false
            time Mon-Fri 09:00-17:00                   | 2025-03-08T10:00:00Z       | false
            time Mon-Fri 09:00-17:00 Europe/Paris      | 2025-03-07T08:00:00Z       | true
            time Mon-Fri 09:00-17:00 Europe/Paris      | 2025-03-07T07:59:59Z       | false
            time Mon-Fri 09:00-17:00 Europe/Paris      | 2025-03-07T16:00:00Z       | false
            time Mon-Fri 09:00-17:00 Europe/Paris      | 2025-03-31T07:00:00Z       | true
            time Mon-Fri 09:00-17:00 Europe/Paris      | 2025-03-31T06:59:00Z       | false
            time Mon-Fri 09:00-17:00 Europe/Paris      | 2025-03-31T14:59:00Z       | true
            time Mon-Fri 09:00-17:00 Europe/Paris      | 2025-03-31T15:00:00Z       | false
            time Fri 22:00-06:00                       | 2025-03-07T22:00:00Z       | true
            time Fri 22:00-06:00                       | 2025-03-07T23:59:59Z       | true
            time Fri 22:00-06:00                       | 2025-03-08T00:00:00Z       | true
            time Fri 22:00-06:00                       | 2025-03-08T05:59:59Z       | true
            time Fri 22:00-06:00                       | 2025-03-08T06:00:00Z       | false
            time Fri 22:00-06:00                       | 2025-03-08T22:30:00Z       | false
            time Fri 22:00-06:00                       | 2025-03-07T03:00:00Z       | false
            time Fri 22:00-06:00                       | 2025-03-07T21:59:59Z       | false
            time * 22:00-06:00 Asia/Tokyo              | 2025-03-07T13:30:00Z       | true
            time * 22:00-06:00 Asia/Tokyo              | 2025-03-07T12:59:00Z       | false
            time * 22:00-06:00 Asia/Tokyo              | 2025-03-07T20:59:00Z       | true
            time * 22:00-06:00 Asia/Tokyo              | 2025-03-07T21:00:00Z       | false
            time Sun 23:00-01:00 America/New_York      | 2025-03-10T04:30:00Z       | true
            time Sun 23:00-01:00 America/New_York      | 2025-03-10T05:00:00Z       | false
            time Sat-Sun 00:00-24:00                   | 2025-03-09T23:59:59Z       | true
            time Sat-Sun 00:00-24:00                   | 2025-03-10T00:00:00Z       | false
            time Fri-Mon 12:00-13:00                   | 2025-03-10T12:30:00Z       | true
            time Fri-Mon 12:00-13:00                   | 2025-03-11T12:30:00Z       | false
            time Mon,Wed 12:00-13:00                   | 2025-03-05T12:30:00Z       | true
            time mon,wed 12:00-13:00                   | 2025-03-06T12:30:00Z       | false
            time * 09:00-17:00                         | 1969-12-31T10:00:00Z       | true
            """)
    void windows(String condition, String instant, boolean expected) {
        assertEquals(expected, at(condition, instant));
    }

    @Test
    void cachedOffsetFollowsTransitionsBothWays() {
        TimeWindowCondition c = (TimeWindowCondition) Condition.parse("time * 09:00-10:00 Europe/Paris");
        // before, after and again before the spring transition: the cache must not answer for the wrong span.
        assertTrue(c.holdsAt(Clock.toNanos(Instant.parse("2025-03-28T08:30:00Z"))));
        assertTrue(c.holdsAt(Clock.toNanos(Instant.parse("2025-03-31T07:30:00Z"))));
        assertEquals(false, c.holdsAt(Clock.toNanos(Instant.parse("2025-03-31T08:30:00Z"))));
        assertTrue(c.holdsAt(Clock.toNanos(Instant.parse("2025-03-28T08:30:00Z"))));
        assertEquals(false, c.holdsAt(Clock.toNanos(Instant.parse("2025-03-28T07:30:00Z"))));
    }

    @Test
    void builtInCode() {
        TimeWindowCondition c = TimeWindowCondition.of(EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(9, 0),
                LocalTime.MIDNIGHT, ZoneId.of("Europe/Paris"));
        assertEquals("time Mon,Fri 09:00-24:00 Europe/Paris", c.describe());
        assertEquals(c.describe(), Condition.parse(c.describe()).describe());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            time Mon-Fri                            | expected DAYS HH:MM-HH:MM [ZONE]
            time Mon-Fri 9:00-17:00                 | invalid time "9:00"; expected HH:MM
            time Mon-Fri 09:00-25:00                | invalid time "25:00"
            time Mon-Fri 09:00-09:00                | start and end are the same
            time Mon-Fry 09:00-17:00                | invalid day "Fry"
            time Mon-Fri 09:00-17:00 Mars/Olympus   | unknown zone "Mars/Olympus"
            time Mon-Fri 09:00 UTC                  | expected HH:MM-HH:MM
            """)
    void badSyntax(String condition, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Condition.parse(condition));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
