package dev.keys.test;

import dev.keys.api.Clock;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to: for tests of expiry, grace periods, windows and refills. */
public final class ManualClock implements Clock {
    private final AtomicLong nanos;

    public ManualClock(Instant start) {
        this.nanos = new AtomicLong(Clock.toNanos(start));
    }

    @Override
    public long nanos() {
        return nanos.get();
    }

    public ManualClock advance(Duration d) {
        if (d.isNegative()) throw new IllegalArgumentException("a monotonic clock does not go back");
        nanos.addAndGet(d.toNanos());
        return this;
    }

    public ManualClock set(Instant instant) {
        nanos.set(Clock.toNanos(instant));
        return this;
    }
}
