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

    /**
     * Token buckets in this process: {@link RateLimiter#of} for a key's own bandwidths, and for owner- and
     * tenant-wide ones ({@link RateLimit.Scope}) one shared bucket per scope id and bandwidth, at most 100,000 of them.
     */
    static LimiterFactory inProcess() {
        return inProcess(100_000);
    }

    /** As {@link #inProcess()}, keeping at most {@code maxSharedBuckets} owner and tenant buckets (least used go first). */
    static LimiterFactory inProcess(long maxSharedBuckets) {
        if (maxSharedBuckets <= 0) throw new IllegalArgumentException("maxSharedBuckets must be positive");
        return new ScopedLimiters(maxSharedBuckets);
    }

    /**
     * Whether the limiter made for {@code before} can go on serving {@code key} with {@code limits}, so that its
     * buckets do not refill early: the same bandwidths, and the same tenant and owner where a bandwidth is theirs.
     */
    static boolean reusable(RateLimiter limiter, ApiKey before, ApiKey key, List<RateLimit> limits) {
        if (!limiter.sameLimits(limits)) return false;
        for (RateLimit l : limits) {
            if (l.scope() == RateLimit.Scope.TENANT && !before.tenant().equals(key.tenant())) return false;
            if (l.scope() == RateLimit.Scope.OWNER && !(before.tenant().equals(key.tenant()) && before.ownerId().equals(key.ownerId()))) return false;
        }
        return true;
    }

    /**
     * The limiter for {@code key}'s effective {@code limits} (its own, or its tier's), never null;
     * {@link RateLimiter#NONE} for an empty list is fine.
     *
     * @throws IllegalArgumentException when a name is used twice
     */
    RateLimiter create(ApiKey key, List<RateLimit> limits);
}
