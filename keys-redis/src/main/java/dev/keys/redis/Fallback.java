package dev.keys.redis;

import dev.keys.api.ApiKey;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;
import dev.keys.core.limit.LimitResult;
import dev.keys.core.limit.LimiterFactory;
import dev.keys.core.limit.RateLimiter;

import java.util.List;

/**
 * What decides while Redis cannot: the key's own in-process buckets (made on first need, kept for later outages),
 * or, under {@code FaultPolicy.UNAVAILABLE}, a 503. A request is never admitted with no limit applied.
 */
final class Fallback {
    private final ApiKey key;
    private final List<RateLimit> limits;
    private final Factory factory;
    private volatile RateLimiter local;

    private Fallback(ApiKey key, List<RateLimit> limits, Factory factory) {
        this.key = key;
        this.limits = limits;
        this.factory = factory;
    }

    /** One per {@code RedisLimits}: the in-process factory (so owner buckets are shared here too) and the policy. */
    record Factory(LimiterFactory inProcess, boolean failClosed, Link link) {
        Fallback of(ApiKey key, List<RateLimit> limits) {
            return new Fallback(key, limits, this);
        }
    }

    LimitResult tryConsume(long cost, long nowNanos) {
        factory.link.fellBack();
        if (factory.failClosed) return Verdicts.UNAVAILABLE;
        return local().tryConsume(cost, nowNanos);
    }

    List<RateLimitStatus> statuses(long nowNanos) {
        return local().statuses(nowNanos);
    }

    private RateLimiter local() {
        RateLimiter l = local;
        if (l == null) {
            synchronized (this) {
                l = local;
                if (l == null) local = l = factory.inProcess.create(key, limits);
            }
        }
        return l;
    }
}
