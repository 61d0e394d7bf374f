package dev.keys.api;

import java.time.Instant;
import java.util.Objects;

/** How many verifications of one key had one outcome in the period starting at {@code periodStart}. */
public record UsageCount(String keyId, Instant periodStart, Outcome outcome, long count) {
    public UsageCount {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(periodStart, "periodStart");
        Objects.requireNonNull(outcome, "outcome");
    }
}
