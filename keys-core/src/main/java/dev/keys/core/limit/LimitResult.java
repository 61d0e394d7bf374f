package dev.keys.core.limit;

import dev.keys.api.RateLimitReport;
import dev.keys.api.RateLimitStatus;

import java.util.List;

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
        public List<RateLimitStatus> statuses() {
            return List.of();
        }

        @Override
        public String policyField() {
            return "";
        }

        @Override
        public String stateField() {
            return "";
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
     * The value of the {@code RateLimit-Policy} field (docs/contract.md §5) for {@link #statuses()}; empty when there
     * are none. It depends on the limits only: the admitted results of this package's limiters answer a string
     * rendered once with the limiter.
     */
    default String policyField() {
        return RateLimitFields.policy(statuses());
    }

    /**
     * The value of the {@code RateLimit} field for {@link #statuses()}; empty when there are none. The admitted
     * results of this package's GCRA limiters write it from their state, without building the statuses.
     */
    default String stateField() {
        return RateLimitFields.state(statuses());
    }

    /** {@link #policyField()} of any report's statuses, byte for byte: for reports that are not limiter results. */
    static String policyField(List<RateLimitStatus> statuses) {
        return RateLimitFields.policy(statuses);
    }

    /** {@link #stateField()} of any report's statuses, byte for byte. */
    static String stateField(List<RateLimitStatus> statuses) {
        return RateLimitFields.state(statuses);
    }

    /**
     * For a denial, a sentence safe to show the client, e.g. {@code rate limit 'burst' exceeded} or
     * {@code cost 500 exceeds the capacity 100 of rate limit 'burst'}; empty when admitted.
     */
    default String detail() {
        return "";
    }
}
