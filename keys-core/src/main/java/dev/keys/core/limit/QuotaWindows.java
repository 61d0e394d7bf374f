package dev.keys.core.limit;

import dev.keys.api.QuotaPeriod;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.Objects;

/**
 * Calendar periods of quotas in a zone, as pure functions of an instant (epoch seconds in, epoch seconds out).
 * A day starts at the zone's first instant of the date (so a DST day lasts 23 or 25 hours); a week on
 * {@code firstDayOfWeek}; a month on its {@code monthAnchorDay} (a billing day: with 15, periods run from the 15th
 * to the 15th), or on the month's last day when it is shorter (anchor 31: Jan 31, Feb 28 or 29, Mar 31, Apr 30).
 * Immutable and thread-safe.
 */
public final class QuotaWindows {
    public static final QuotaWindows UTC = of(ZoneId.of("UTC"), 1, DayOfWeek.MONDAY);

    private final ZoneId zone;
    private final int monthAnchorDay;
    private final DayOfWeek firstDayOfWeek;

    private QuotaWindows(ZoneId zone, int monthAnchorDay, DayOfWeek firstDayOfWeek) {
        this.zone = zone;
        this.monthAnchorDay = monthAnchorDay;
        this.firstDayOfWeek = firstDayOfWeek;
    }

    /** @throws IllegalArgumentException when {@code monthAnchorDay} is not 1 to 31 */
    public static QuotaWindows of(ZoneId zone, int monthAnchorDay, DayOfWeek firstDayOfWeek) {
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(firstDayOfWeek, "firstDayOfWeek");
        if (monthAnchorDay < 1 || monthAnchorDay > 31) throw new IllegalArgumentException("month anchor day must be 1 to 31");
        return new QuotaWindows(zone, monthAnchorDay, firstDayOfWeek);
    }

    public ZoneId zone() {
        return zone;
    }

    public int monthAnchorDay() {
        return monthAnchorDay;
    }

    public DayOfWeek firstDayOfWeek() {
        return firstDayOfWeek;
    }

    /** The start (inclusive, epoch seconds) of the period containing {@code epochSecond}. */
    public long start(QuotaPeriod period, long epochSecond) {
        return startOf(period, date(epochSecond)).atStartOfDay(zone).toEpochSecond();
    }

    /** The end (exclusive, epoch seconds) of the period containing {@code epochSecond}: the next period's start. */
    public long end(QuotaPeriod period, long epochSecond) {
        return next(period, startOf(period, date(epochSecond))).atStartOfDay(zone).toEpochSecond();
    }

    private LocalDate date(long epochSecond) {
        return LocalDate.ofInstant(Instant.ofEpochSecond(epochSecond), zone);
    }

    private LocalDate startOf(QuotaPeriod period, LocalDate d) {
        return switch (period) {
            case DAY -> d;
            case WEEK -> d.with(TemporalAdjusters.previousOrSame(firstDayOfWeek));
            case MONTH -> {
                LocalDate anchor = anchorIn(d);
                yield d.isBefore(anchor) ? anchorIn(d.minusMonths(1)) : anchor;
            }
        };
    }

    private LocalDate next(QuotaPeriod period, LocalDate start) {
        return switch (period) {
            case DAY -> start.plusDays(1);
            case WEEK -> start.plusWeeks(1);
            case MONTH -> anchorIn(start.plusMonths(1));
        };
    }

    /** The anchor day in the month of {@code d}, or the month's last day. */
    private LocalDate anchorIn(LocalDate d) {
        return d.withDayOfMonth(Math.min(monthAnchorDay, d.lengthOfMonth()));
    }

    @Override
    public String toString() {
        return "QuotaWindows[" + zone + ", month from day " + monthAnchorDay + ", week from " + firstDayOfWeek + "]";
    }
}
