package dev.keys.core.authz;

import dev.keys.api.ApiKey;
import dev.keys.api.RequestContext;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The local time in a zone lies in {@code [start, end)} on one of the given days. When {@code end <= start} the window
 * crosses midnight and belongs to the day it starts on: {@code Fri 22:00-06:00} holds from Friday 22:00 to Saturday
 * 06:00. {@code 24:00} as an end means the end of the day.
 *
 * <p>Cost: the zone's offset is cached for the span until its next transition (a DST change), so a check is a few
 * integer operations and allocates nothing; it allocates only on the first check after a transition.
 */
final class TimeWindowCondition implements Condition {
    private static final int DAY = 86_400;
    private static final ZoneId UTC = ZoneId.of("UTC");

    private final int days;            // bit 0 = Monday ... bit 6 = Sunday
    private final int start, end;      // seconds of the day; end in (0, 86400]
    private final ZoneId zone;
    private final ZoneRules rules;
    private final String description;
    private volatile Span span = new Span(Long.MAX_VALUE, Long.MIN_VALUE, 0);

    /** An interval of epoch seconds {@code [from, until)} with one offset; immutable, so racy publication is safe. */
    private record Span(long from, long until, int offset) {
    }

    private TimeWindowCondition(int days, int start, int end, ZoneId zone) {
        this.days = days;
        this.start = start;
        this.end = end;
        this.zone = zone;
        this.rules = zone.getRules();
        this.description = "time " + daysText(days) + " " + hhmm(start) + "-" + hhmm(end) + " " + zone.getId();
    }

    /**
     * @param days  the days the window starts on; all seven for every day
     * @param start inclusive start
     * @param end   exclusive end; {@code LocalTime.MIDNIGHT} means the end of the day; before {@code start} crosses midnight
     */
    public static TimeWindowCondition of(Collection<DayOfWeek> days, LocalTime start, LocalTime end, ZoneId zone) {
        if (days.isEmpty()) throw new IllegalArgumentException("time: expected at least one day");
        int mask = 0;
        for (DayOfWeek d : days) mask |= 1 << (d.getValue() - 1);
        int s = start.toSecondOfDay(), e = end.toSecondOfDay() == 0 ? DAY : end.toSecondOfDay();
        if (s == e) throw new IllegalArgumentException("time: start and end are the same; use 00:00-24:00 for the whole day");
        return new TimeWindowCondition(mask, s, e, zone);
    }

    /** {@code DAYS HH:MM-HH:MM [ZONE]}, DAYS being {@code *}, a day ({@code Mon}), a range ({@code Mon-Fri}) or a comma list. */
    static TimeWindowCondition parse(String text) {
        String[] w = text.strip().split("\\s+");
        if (w.length < 2 || w.length > 3)
            throw new IllegalArgumentException("time: expected DAYS HH:MM-HH:MM [ZONE], e.g. time Mon-Fri 09:00-17:00 Europe/Paris");
        int mask = parseDays(w[0]);
        String[] hm = w[1].split("-", -1);
        if (hm.length != 2) throw new IllegalArgumentException("time: expected HH:MM-HH:MM, found \"" + w[1] + "\"");
        int s = parseTime(hm[0], false), e = parseTime(hm[1], true);
        if (s == e) throw new IllegalArgumentException("time: start and end are the same; use 00:00-24:00 for the whole day");
        ZoneId zone = UTC;
        if (w.length == 3) {
            try {
                zone = ZoneId.of(w[2]);
            } catch (DateTimeException ex) {
                throw new IllegalArgumentException("time: unknown zone \"" + w[2] + "\"", ex);
            }
        }
        return new TimeWindowCondition(mask, s, e, zone);
    }

    private static int parseDays(String text) {
        if (text.equals("*")) return 0x7f;
        int mask = 0;
        for (String part : text.split(",", -1)) {
            String[] range = part.split("-", -1);
            if (range.length > 2) throw new IllegalArgumentException("time: invalid days \"" + text + "\"");
            int a = day(range[0]), b = range.length == 2 ? day(range[1]) : a;
            for (int d = a; ; d = (d + 1) % 7) {
                mask |= 1 << d;
                if (d == b) break;
            }
        }
        return mask;
    }

    private static int day(String s) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().substring(0, 3).equalsIgnoreCase(s)) return d.getValue() - 1;
        }
        throw new IllegalArgumentException("time: invalid day \"" + s + "\"; expected Mon, Tue, Wed, Thu, Fri, Sat or Sun");
    }

    private static int parseTime(String s, boolean isEnd) {
        if (!s.matches("\\d\\d:\\d\\d")) throw new IllegalArgumentException("time: invalid time \"" + s + "\"; expected HH:MM");
        int h = Integer.parseInt(s.substring(0, 2)), m = Integer.parseInt(s.substring(3));
        if (isEnd && h == 24 && m == 0) return DAY;
        if (h > 23 || m > 59) throw new IllegalArgumentException("time: invalid time \"" + s + "\"");
        int v = h * 3600 + m * 60;
        return isEnd && v == 0 ? DAY : v;
    }

    @Override
    public boolean test(ApiKey key, RequestContext request, long nowNanos) {
        return holdsAt(nowNanos);
    }

    /** Whether the window holds at {@code nowNanos}, epoch nanoseconds. */
    public boolean holdsAt(long nowNanos) {
        long epochSec = Math.floorDiv(nowNanos, 1_000_000_000L);
        long local = epochSec + offset(epochSec);
        long dayNumber = Math.floorDiv(local, DAY);
        int dow = (int) Math.floorMod(dayNumber + 3, 7L); // 1970-01-01 was a Thursday; 0 = Monday
        int sec = Math.floorMod(local, DAY);
        if (start < end) return (days & (1 << dow)) != 0 && sec >= start && sec < end;
        int yesterday = dow == 0 ? 6 : dow - 1;
        return ((days & (1 << dow)) != 0 && sec >= start) || ((days & (1 << yesterday)) != 0 && sec < end);
    }

    private int offset(long epochSec) {
        Span s = span;
        if (epochSec >= s.from && epochSec < s.until) return s.offset;
        Instant at = Instant.ofEpochSecond(epochSec);
        ZoneOffsetTransition next = rules.nextTransition(at);
        s = new Span(epochSec, next == null ? Long.MAX_VALUE : next.toEpochSecond(), rules.getOffset(at).getTotalSeconds());
        span = s;
        return s.offset;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return description;
    }

    private static String hhmm(int sec) {
        return String.format(Locale.ROOT, "%02d:%02d", sec / 3600, sec % 3600 / 60);
    }

    private static String daysText(int mask) {
        if (mask == 0x7f) return "*";
        List<String> out = new ArrayList<>();
        Set<DayOfWeek> set = EnumSet.noneOf(DayOfWeek.class);
        for (DayOfWeek d : DayOfWeek.values()) if ((mask & (1 << (d.getValue() - 1))) != 0) set.add(d);
        for (DayOfWeek d : set) {
            String n = d.name();
            out.add(n.charAt(0) + n.substring(1, 3).toLowerCase(Locale.ROOT));
        }
        return String.join(",", out);
    }
}
