package dev.keys.api;

import java.time.Instant;

/**
 * The one time source of the library: nanoseconds since the epoch, never going backwards. A primitive read, so
 * that the hot path pays one call and no boxing for both expiry checks and token-bucket refills.
 */
@FunctionalInterface
public interface Clock {

    /** Nanoseconds since 1970-01-01T00:00Z; monotonic (never smaller than an earlier read). */
    long nanos();

    default Instant instant() {
        long n = nanos();
        return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
    }

    static long toNanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
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
