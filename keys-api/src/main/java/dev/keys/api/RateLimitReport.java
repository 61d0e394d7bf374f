package dev.keys.api;

import java.util.List;

/**
 * Rate limit state attached to a verification. Computed lazily so that the hot path of an admitted request
 * allocates nothing for it; {@link #NONE} for keys without limits.
 */
public interface RateLimitReport {
    RateLimitReport NONE = new RateLimitReport() {
        @Override
        public List<RateLimitStatus> statuses() {
            return List.of();
        }

        @Override
        public long retryAfterSeconds() {
            return 0;
        }
    };

    /** One entry per bandwidth of the key, in the key's order. */
    List<RateLimitStatus> statuses();

    /** For a denied request, whole seconds (at least 1) until it could pass; 0 when not limited. */
    long retryAfterSeconds();
}
