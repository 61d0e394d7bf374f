package dev.keys.core.limit;

import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;

import java.util.Arrays;
import java.util.List;

/**
 * A key with owner- or tenant-wide bandwidths: its own bucket plus one shared bucket per such bandwidth, all taken or
 * none. Every bucket involved is locked (its own under this monitor, the shared ones in {@link ScopedLimiters.Id#ORDER}),
 * checked with a peek, and only then taken, so that all-or-nothing holds across buckets exactly as within one. This
 * costs a lock per shared bucket and a status list per bucket; keys whose bandwidths are all their own never come here.
 */
final class ScopedLimiter extends RateLimiter {
    private final RateLimiter own;
    /** For each of {@code own}'s bandwidths, and then each of {@code ids}, its place in the key's list. */
    private final int[] at;
    private final ScopedLimiters.Id[] ids;
    private final ScopedLimiters buckets;

    ScopedLimiter(List<RateLimit> limits, RateLimiter own, int[] ownAt, ScopedLimiters.Id[] ids, ScopedLimiters buckets) {
        super(limits);
        this.own = own;
        this.ids = ids;
        this.buckets = buckets;
        this.at = Arrays.copyOf(ownAt, ownAt.length + ids.length);
        for (int j = 0; j < ids.length; j++) at[ownAt.length + j] = indexOf(limits, ids[j]);
    }

    private static int indexOf(List<RateLimit> limits, ScopedLimiters.Id id) {
        for (int i = 0; i < limits.size(); i++) {
            RateLimit l = limits.get(i);
            if (l.scope() == id.scope() && l.withScope(RateLimit.Scope.KEY).equals(id.limit())) return i;
        }
        throw new AssertionError(id);
    }

    @Override
    public LimitResult tryConsume(long cost, long nowNanos) {
        if (cost <= 0 || cost > maxCost()) {
            checkCost(cost);
            return capacityDenial(cost, nowNanos);
        }
        ScopedLimiters.Shared[] shared = shared();
        RateLimiter[] parts = parts(shared);
        synchronized (this) {
            int locked = 0;
            try {
                for (; locked < shared.length; locked++) shared[locked].lock().lock();
                List<RateLimitStatus>[] peeks = peeks(parts, nowNanos);
                boolean all = true;
                for (List<RateLimitStatus> p : peeks) all &= fits(p, cost);
                LimitResult[] results = new LimitResult[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    if (all || !fits(peeks[i], cost)) results[i] = parts[i].tryConsume(cost, nowNanos); // a denial takes nothing
                }
                return new Combined(this, all, parts, results, peeks);
            } finally {
                while (locked > 0) shared[--locked].lock().unlock();
            }
        }
    }

    private static boolean fits(List<RateLimitStatus> statuses, long cost) {
        for (RateLimitStatus s : statuses) if (s.remaining() < cost) return false;
        return true;
    }

    private ScopedLimiters.Shared[] shared() {
        ScopedLimiters.Shared[] s = new ScopedLimiters.Shared[ids.length];
        for (int j = 0; j < ids.length; j++) s[j] = buckets.bucket(ids[j]);
        return s;
    }

    private RateLimiter[] parts(ScopedLimiters.Shared[] shared) {
        RateLimiter[] p = new RateLimiter[1 + shared.length];
        p[0] = own;
        for (int j = 0; j < shared.length; j++) p[1 + j] = shared[j].limiter();
        return p;
    }

    @SuppressWarnings("unchecked")
    private static List<RateLimitStatus>[] peeks(RateLimiter[] parts, long now) {
        List<RateLimitStatus>[] p = new List[parts.length];
        for (int i = 0; i < parts.length; i++) p[i] = parts[i].statuses(now);
        return p;
    }

    @Override
    protected List<RateLimitStatus> peek(long nowNanos) {
        RateLimitStatus[] out = new RateLimitStatus[limits().size()];
        place(out, peeks(parts(shared()), nowNanos));
        return List.of(out);
    }

    /** Puts each part's statuses at their places in the key's order. */
    void place(RateLimitStatus[] out, List<RateLimitStatus>[] byPart) {
        int k = 0;
        for (List<RateLimitStatus> p : byPart) for (RateLimitStatus s : p) out[at[k++]] = s;
    }

    /** The answer across buckets: admitted by all, or refused with each refusing bucket's own wait and detail. */
    private record Combined(ScopedLimiter owner, boolean admitted, RateLimiter[] parts, LimitResult[] results,
                            List<RateLimitStatus>[] peeks) implements LimitResult {
        @Override
        @SuppressWarnings("unchecked")
        public List<RateLimitStatus> statuses() {
            List<RateLimitStatus>[] byPart = new List[parts.length];
            for (int i = 0; i < parts.length; i++) byPart[i] = results[i] != null ? results[i].statuses() : peeks[i];
            RateLimitStatus[] out = new RateLimitStatus[owner.limits().size()];
            owner.place(out, byPart);
            return List.of(out);
        }

        @Override
        public long retryAfterSeconds() {
            if (admitted) return 0;
            long max = 1;
            for (LimitResult r : results) if (r != null) max = Math.max(max, r.retryAfterSeconds());
            return max;
        }

        @Override
        public String detail() {
            if (admitted) return "";
            LimitResult worst = null;
            for (LimitResult r : results) {
                if (r != null && (worst == null || r.retryAfterSeconds() > worst.retryAfterSeconds())) worst = r;
            }
            return worst.detail();
        }
    }
}
