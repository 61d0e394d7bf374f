package dev.keys.core.limit;

import dev.keys.api.RateLimitReport;

/**
 * The answer of {@link RateLimiter#tryConsume}: admitted or denied, and the state of every bandwidth for the
 * {@code RateLimit-Policy}, {@code RateLimit} and {@code Retry-After} fields. Statuses are computed when asked for,
 * not on the hot path.
 *
 * <p>A denial never took tokens. {@link #exceedsCapacity()} marks the one denial that waiting cannot cure: the
 * request's cost is above a bandwidth's capacity. It is still an ordinary result (a 429 with {@link #detail()}), never
 * an exception.
 */
public interface LimitResult extends RateLimitReport {

    /** The result of {@link RateLimiter#NONE}: admitted, no statuses. */
    LimitResult UNLIMITED = new LimitResult() {
        @Override
        public boolean admitted() {
            return true;
        }

        @Override
        public java.util.List<dev.keys.api.RateLimitStatus> statuses() {
            return java.util.List.of();
        }

        @Override
        public long retryAfterSeconds() {
            return 0;
        }

        @Override
        public String toString() {
            return "LimitResult[unlimited]";
        }
    };

    boolean admitted();

    /** True for a denial whose cost exceeds the capacity of a bandwidth: it can never pass. */
    default boolean exceedsCapacity() {
        return false;
    }

    /**
     * True for a denial that is no verdict on the buckets: their shared state could not be reached and the limiter is
     * configured to fail closed (keys-redis). The verifier answers it {@code STORE_UNAVAILABLE}, not
     * {@code RATE_LIMITED}; nothing was taken.
     */
    default boolean unavailable() {
        return false;
    }

    /**
     * For a denial, a sentence safe to show the client, e.g. {@code rate limit 'burst' exceeded} or
     * {@code cost 500 exceeds the capacity 100 of rate limit 'burst'}; empty when admitted.
     */
    default String detail() {
        return "";
    }
}
