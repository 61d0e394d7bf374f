package dev.keys.api;

import java.time.Duration;
import java.util.Objects;

/** Remaining uses are set back to {@code amount} every {@code interval}. */
public record Refill(long amount, Duration interval) {
    public Refill {
        Objects.requireNonNull(interval, "interval");
        if (amount <= 0) throw new IllegalArgumentException("refill amount must be positive");
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("refill interval must be positive");
    }
}
