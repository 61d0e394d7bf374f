package dev.keys.api;

import java.util.Objects;
import java.util.Optional;

/**
 * One verification of a known key, for per-key usage analytics. {@code atNanos} is from the {@link Clock}.
 *
 * @param spent for an admitted request of a key with a quota or remaining uses: what it counted and the counters
 *              after it; empty otherwise
 */
public record UsageEvent(String keyId, String tenant, Outcome outcome, long atNanos, Optional<Spent> spent) {
    public UsageEvent {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(spent, "spent");
    }

    /** An event that counted nothing in the quota or remaining uses. */
    public UsageEvent(String keyId, String tenant, Outcome outcome, long atNanos) {
        this(keyId, tenant, outcome, atNanos, Optional.empty());
    }

    /**
     * What an admitted request took from its key's quota and remaining uses, with the counters as they stand right
     * after it. The counters are those of the {@link UsageCounters}, shared by every instance on the same store and
     * added to atomically, so the values are the fleet's, and the one request whose addition takes a counter past a
     * mark is the only request in the fleet that sees that crossing.
     *
     * @param ownerId the key's owner
     * @param cost    what the request counted
     * @param quota   the counter of the current quota period, when the key has a quota
     * @param uses    the counter of remaining uses (of the current refill interval with a refill), when the key is
     *                limited in uses
     */
    public record Spent(String ownerId, long cost, Optional<Counter> quota, Optional<Counter> uses) {
        public Spent {
            Objects.requireNonNull(ownerId, "ownerId");
            Objects.requireNonNull(quota, "quota");
            Objects.requireNonNull(uses, "uses");
        }
    }

    /**
     * A counter after a request: {@code used} of {@code limit} in the window {@code [windowStart, windowEnd)}, in
     * epoch seconds; a window that never ends (remaining uses without a refill) is {@code [0, Long.MAX_VALUE)}.
     */
    public record Counter(long used, long limit, long windowStart, long windowEnd) {
        /** What is left of the limit, never below zero. */
        public long left() {
            return Math.max(0, limit - used);
        }
    }
}
