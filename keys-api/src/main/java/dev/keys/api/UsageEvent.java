package dev.keys.api;

import java.util.Objects;

/** One verification of a known key, for per-key usage analytics. {@code atNanos} is from the {@link Clock}. */
public record UsageEvent(String keyId, String tenant, Outcome outcome, long atNanos) {
    public UsageEvent {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(outcome, "outcome");
    }
}
