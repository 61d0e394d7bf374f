package dev.keys.api;

import java.time.Duration;
import java.time.Instant;

/**
 * The one time source of the library: nanoseconds since the epoch, never going backwards. A primitive read, so
 * that the hot path pays one call and no boxing for both expiry checks and token-bucket refills.
 */
@FunctionalInterface
public interface Clock {
    /** The earliest instant a caller may give (docs/contract.md §3). */
    Instant MIN_INSTANT = Instant.EPOCH;
    /** The latest instant a caller may give, the common "never expires" (docs/contract.md §3). */
    Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59Z");
    /** The longest duration a caller may give: 100 years of 365.25 days (docs/contract.md §3). */
    Duration MAX_DURATION = Duration.ofDays(36_525);

    /** Nanoseconds since 1970-01-01T00:00Z; monotonic (never smaller than an earlier read). */
    long nanos();

    default Instant instant() {
        long n = nanos();
        return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
    }

    /**
     * Nanoseconds since the epoch, saturated: instants after 2262-04-11 answer {@code Long.MAX_VALUE} (later than any
     * reading of a clock), before 1677-09-21 {@code Long.MIN_VALUE}. Never throws, so that no stored instant can
     * break the code that compares it with the clock.
     */
    static long toNanos(Instant instant) {
        final long perSecond = 1_000_000_000L;
        long s = instant.getEpochSecond();
        int n = instant.getNano();
        if (s > Long.MAX_VALUE / perSecond || (s == Long.MAX_VALUE / perSecond && n > Long.MAX_VALUE % perSecond)) return Long.MAX_VALUE;
        long minS = Math.floorDiv(Long.MIN_VALUE, perSecond);
        if (s < minS || (s == minS && n < Math.floorMod(Long.MIN_VALUE, perSecond))) return Long.MIN_VALUE;
        // Negative seconds from s + 1, so that the product near Long.MIN_VALUE does not overflow on the way.
        return s < 0 ? (s + 1) * perSecond + (n - perSecond) : s * perSecond + n;
    }

    /**
     * {@code instant} when it is within {@link #MIN_INSTANT} and {@link #MAX_INSTANT}.
     *
     * @throws IllegalArgumentException {@code field: must be from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z}
     */
    static Instant requireInRange(Instant instant, String field) {
        if (instant.isBefore(MIN_INSTANT) || instant.isAfter(MAX_INSTANT)) {
            throw new IllegalArgumentException(field + ": must be from " + MIN_INSTANT + " to " + MAX_INSTANT);
        }
        return instant;
    }

    /**
     * {@code duration} when it is at most {@link #MAX_DURATION} and not negative, nor zero when {@code positive}.
     *
     * @throws IllegalArgumentException naming {@code field}
     */
    static Duration requireInRange(Duration duration, String field, boolean positive) {
        if (duration.isNegative() || (positive && duration.isZero())) {
            throw new IllegalArgumentException(field + (positive ? ": must be positive" : ": must not be negative"));
        }
        if (duration.compareTo(MAX_DURATION) > 0) throw new IllegalArgumentException(field + ": must be at most 100 years (" + MAX_DURATION + ")");
        return duration;
    }

    /**
     * The system clock: {@code System.nanoTime()} anchored once to the wall clock, so that it is monotonic and
     * costs one {@code nanoTime} read.
     */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}

final class SystemClock implements Clock {
    static final SystemClock INSTANCE = new SystemClock();
    private final long offset;

    private SystemClock() {
        Instant now = Instant.now();
        offset = Clock.toNanos(now) - System.nanoTime();
    }

    @Override
    public long nanos() {
        return System.nanoTime() + offset;
    }
}
