package dev.keys.core.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.keys.api.ApiKey;
import dev.keys.api.RateLimit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-process {@link LimiterFactory}. A key whose bandwidths are all its own gets {@link RateLimiter#of}, as
 * always. A bandwidth scoped to the owner or the tenant is one bucket per (tenant, ownerId) or tenant and per
 * bandwidth, shared by every key that names it; those buckets live in a bounded Caffeine cache keyed by scope id, never
 * in an unbounded map, and a key's limiter looks them up on each request so that an evicted bucket is never held on to.
 */
final class ScopedLimiters implements LimiterFactory {
    /** Ordered so that every limiter locks shared buckets in one global order (no deadlock). */
    record Id(RateLimit.Scope scope, String tenant, String owner, RateLimit limit) {
        static final Comparator<Id> ORDER = Comparator.<Id, Integer>comparing(i -> i.scope.ordinal())
                .thenComparing(Id::tenant).thenComparing(Id::owner).thenComparing(i -> i.limit.toString());
    }

    /** A shared bucket, reached only under its lock, so that a request can check several before it takes any. */
    record Shared(RateLimiter limiter, ReentrantLock lock) {
    }

    private final Cache<Id, Shared> shared;

    ScopedLimiters(long maxSharedBuckets) {
        this.shared = Caffeine.newBuilder().maximumSize(maxSharedBuckets).executor(Runnable::run).build();
    }

    @Override
    public RateLimiter create(ApiKey key, List<RateLimit> limits) {
        boolean scoped = false;
        for (RateLimit l : limits) scoped |= l.scope() != RateLimit.Scope.KEY;
        if (!scoped) return RateLimiter.of(limits);
        List<RateLimit> own = new ArrayList<>();
        List<Integer> ownAt = new ArrayList<>();
        List<Id> ids = new ArrayList<>();
        for (int i = 0; i < limits.size(); i++) {
            RateLimit l = limits.get(i);
            switch (l.scope()) {
                case KEY -> {
                    own.add(l);
                    ownAt.add(i);
                }
                case OWNER -> ids.add(new Id(l.scope(), key.tenant(), key.ownerId(), l.withScope(RateLimit.Scope.KEY)));
                case TENANT -> ids.add(new Id(l.scope(), key.tenant(), "", l.withScope(RateLimit.Scope.KEY)));
            }
        }
        ids.sort(Id.ORDER);
        return new ScopedLimiter(limits, RateLimiter.of(own), ownAt.stream().mapToInt(Integer::intValue).toArray(), ids.toArray(Id[]::new), this);
    }

    Shared bucket(Id id) {
        return shared.get(id, i -> new Shared(RateLimiter.of(List.of(i.limit)), new ReentrantLock()));
    }

    /** Shared buckets held now (for tests). */
    long sharedBuckets() {
        shared.cleanUp();
        return shared.estimatedSize();
    }
}
