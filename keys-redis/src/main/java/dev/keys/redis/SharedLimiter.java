package dev.keys.redis;

import dev.keys.api.ApiKey;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;
import dev.keys.core.limit.LimitResult;
import dev.keys.core.limit.RateLimiter;

import java.util.List;

/**
 * {@code EXACT}: every limited request is one script call that checks and takes every bandwidth of the key in Redis,
 * so a fleet never admits more than one instance would. A cost above a capacity is refused here, without Redis.
 * While Redis is down, the {@link Fallback} decides.
 */
final class SharedLimiter extends RateLimiter {
    final Plan plan;
    final Link link;
    final Fallback fallback;

    SharedLimiter(ApiKey key, List<RateLimit> limits, Plan plan, Link link, Fallback.Factory fallbacks) {
        super(limits);
        this.plan = plan;
        this.link = link;
        this.fallback = fallbacks.of(key, limits);
    }

    @Override
    public LimitResult tryConsume(long cost, long nowNanos) {
        if (cost <= 0 || cost > maxCost()) {
            checkCost(cost);
            return capacityDenial(cost, nowNanos);
        }
        if (!link.up()) return fallback.tryConsume(cost, nowNanos);
        Plan.Reply r;
        try {
            r = plan.reply(link.eval(plan.keys, plan.args(Plan.TAKE, nowNanos, cost, "", null, "", 0, 0)), nowNanos);
        } catch (Link.Down e) {
            return fallback.tryConsume(cost, nowNanos);
        }
        return r.taken() ? new Verdicts.Taken(plan.lanes, r.debts()) : new Verdicts.Refused(plan.lanes, r.debts(), cost);
    }

    @Override
    protected List<RateLimitStatus> peek(long nowNanos) {
        if (link.up()) {
            try {
                return Verdicts.statuses(plan.lanes, plan.reply(link.eval(plan.keys, plan.args(Plan.PEEK, nowNanos, 1, "", null, "", 0, 0)), nowNanos).debts());
            } catch (Link.Down e) {
                // below
            }
        }
        return fallback.statuses(nowNanos);
    }
}
