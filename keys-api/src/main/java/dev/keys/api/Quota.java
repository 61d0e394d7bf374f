package dev.keys.api;

import java.util.Objects;

/** At most {@code limit} admitted requests per calendar {@code period}. */
public record Quota(long limit, QuotaPeriod period) {
    public Quota {
        Objects.requireNonNull(period, "period");
        if (limit <= 0) throw new IllegalArgumentException("quota limit must be positive");
    }
}
