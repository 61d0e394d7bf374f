package dev.keys.core.limit;

import dev.keys.api.ApiKey;
import dev.keys.api.RateLimit;

import java.util.List;

/**
 * Where a key's buckets live: the verifier asks once per compiled entry (a key loaded or changed, unless the entry
 * before it had the same limits) and keeps the answer in the entry. The default keeps them in this process; keys-redis
 * keeps them in Redis, so that a fleet admits together what one instance would.
 *
 * <p>Whatever the implementation, results keep the in-process semantics: every bandwidth or none, {@code Retry-After}
 * and the statuses of {@link LimitResult}, and nothing taken by a denial. The verifier calls it only at step 6, so
 * 401 and 403 answers never reach it.
 */
@FunctionalInterface
public interface LimiterFactory {

    /** Token buckets in this process ({@link RateLimiter#of}). */
    static LimiterFactory inProcess() {
        return (key, limits) -> RateLimiter.of(limits);
    }

    /**
     * The limiter for {@code key}'s effective {@code limits} (its own, or its tier's), never null;
     * {@link RateLimiter#NONE} for an empty list is fine.
     *
     * @throws IllegalArgumentException when a name is used twice
     */
    RateLimiter create(ApiKey key, List<RateLimit> limits);
}
