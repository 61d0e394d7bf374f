package dev.keys.core.limit;

import dev.keys.api.ApiKey;
import dev.keys.api.Outcome;
import dev.keys.api.Quota;
import dev.keys.api.QuotaPeriod;
import dev.keys.api.RateLimitStatus;
import dev.keys.api.Refill;
import dev.keys.api.UsageCounters;
import dev.keys.api.UsageCounters.Increment;
import dev.keys.api.UsageEvent;

import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Quotas per calendar period and remaining uses, counted through {@link UsageCounters} for admitted requests only:
 * the verifier calls {@link #check} after authentication, authorization and rate limits passed.
 *
 * <ul>
 *   <li>Quota: counter {@value #QUOTA}, window = the period's start in epoch seconds ({@link QuotaWindows}), limit =
 *       {@link Quota#limit()}.</li>
 *   <li>Remaining uses without a refill: counter {@value #USES}, window 0, limit = the key's {@code remaining}; the
 *       counter holds the uses spent since {@code remaining} was set (an admin who sets it anew resets the counter).</li>
 *   <li>Remaining uses with a refill: counter {@value #USES}, window = the start of the current refill interval in
 *       epoch seconds, intervals aligned to the key's {@code createdAt} (whole seconds; the interval is rounded up to
 *       whole seconds, at least 1), limit = {@link Refill#amount()}: every interval, the first included, allows
 *       {@code amount} uses, and the key's {@code remaining} is not a limit then.</li>
 * </ul>
 * The quota and the use are taken in one {@link UsageCounters#tryAddAll} call, all or nothing: a request that is not
 * admitted counts in neither, no concurrent request ever sees one taken without the other, and an admitted or a
 * denied request costs one call (with {@code JdbcUsageCounters}, one database round trip), whose answer also holds
 * the values the result reports. Thread-safe.
 */
public final class QuotaEnforcer {
    public static final String QUOTA = "quota";
    public static final String USES = "uses";
    private static final long NANOS = 1_000_000_000L;

    private final UsageCounters counters;
    private final QuotaWindows windows;
    private final Tiers tiers;
    /** The last period computed for DAY, WEEK, MONTH: the zone rules are paid for once per period, not per call. */
    private final Period[] cache = new Period[QuotaPeriod.values().length];

    private record Period(long start, long end) {
    }

    private QuotaEnforcer(UsageCounters counters, QuotaWindows windows, Tiers tiers) {
        this.counters = counters;
        this.windows = windows;
        this.tiers = tiers;
    }

    public static Builder builder(UsageCounters counters) {
        return new Builder(counters);
    }

    public QuotaWindows windows() {
        return windows;
    }

    /** Checks and counts {@code cost} against the key's effective quota (its own, else its tier's) and its remaining uses. */
    public QuotaResult check(ApiKey key, long cost, long nowNanos) {
        return check(key, tiers.effective(key).quota(), cost, nowNanos);
    }

    /**
     * Checks and counts {@code cost} against {@code quota} (the key's effective quota, e.g. from a compiled entry)
     * and the key's remaining uses.
     *
     * @throws IllegalArgumentException when {@code cost} is 0 or negative
     * @throws dev.keys.api.StoreException.Unavailable when the counters cannot answer
     */
    public QuotaResult check(ApiKey key, Optional<Quota> quota, long cost, long nowNanos) {
        if (cost <= 0) throw new IllegalArgumentException("cost must be positive, was " + cost);
        boolean uses = key.remaining().isPresent();
        if (quota.isEmpty() && !uses) return QuotaResult.UNLIMITED;
        long nowSec = Math.floorDiv(nowNanos, NANOS);
        Period p = quota.isPresent() ? period(quota.get().period(), nowSec) : null;
        Uses u = uses ? usesWindow(key, nowSec) : null;
        // The quota first: when both would refuse, the answer is the quota's.
        Increment quotaAdd = p == null ? null : new Increment(QUOTA, p.start, cost, quota.get().limit());
        Increment usesAdd = u == null ? null : new Increment(USES, u.window, cost, u.limit);
        UsageCounters.Result r = counters.tryAddAll(key.id(),
                quotaAdd == null ? List.of(usesAdd) : usesAdd == null ? List.of(quotaAdd) : List.of(quotaAdd, usesAdd));
        int usesAt = quotaAdd == null ? 0 : 1;
        Optional<RateLimitStatus> quotaStatus = p == null ? Optional.empty() : Optional.of(quotaStatus(quota.get(), p, r.value(0), nowNanos));
        OptionalLong left = u == null ? OptionalLong.empty() : OptionalLong.of(Math.max(0, u.limit - r.value(usesAt)));
        if (!(r instanceof UsageCounters.Refused refused)) {
            UsageEvent.Spent spent = new UsageEvent.Spent(key.ownerId(), cost,
                    p == null ? Optional.empty() : Optional.of(new UsageEvent.Counter(r.value(0), quota.get().limit(), p.start, p.end)),
                    u == null ? Optional.empty() : Optional.of(new UsageEvent.Counter(r.value(usesAt), u.limit, u.window, u.end)));
            return new QuotaResult(Outcome.VALID, "", 0, quotaStatus, left, Optional.of(spent));
        }
        if (quotaAdd != null && refused.index() == 0) {
            Quota q = quota.get();
            String detail = cost > q.limit() ? "cost " + cost + " exceeds the " + adjective(q.period()) + " quota of " + q.limit()
                    : adjective(q.period()) + " quota of " + q.limit() + " used";
            return denied(detail, secondsUntil(p.end, nowNanos), quotaStatus, left);
        }
        return key.refill().isPresent()
                ? denied("no remaining uses until the next refill", Math.max(1, u.end - nowSec), quotaStatus, left)
                : denied("no remaining uses", 0, quotaStatus, left);
    }

    /** The key's remaining uses now, for display; empty when it is not limited in uses. Counts nothing. */
    public OptionalLong remaining(ApiKey key, long nowNanos) {
        return remainingUses(key, Math.floorDiv(nowNanos, NANOS));
    }

    /** The requests left in the current period of the key's effective quota; empty without a quota. Counts nothing. */
    public OptionalLong quotaRemaining(ApiKey key, long nowNanos) {
        Optional<Quota> quota = tiers.effective(key).quota();
        if (quota.isEmpty()) return OptionalLong.empty();
        Period p = period(quota.get().period(), Math.floorDiv(nowNanos, NANOS));
        return OptionalLong.of(Math.max(0, quota.get().limit() - counters.get(key.id(), QUOTA, p.start)));
    }

    private OptionalLong remainingUses(ApiKey key, long nowSec) {
        if (key.remaining().isEmpty()) return OptionalLong.empty();
        Uses u = usesWindow(key, nowSec);
        return OptionalLong.of(Math.max(0, u.limit - counters.get(key.id(), USES, u.window)));
    }

    private record Uses(long window, long end, long limit) {
    }

    static long intervalSeconds(Refill r) {
        long s = r.interval().getSeconds();
        return Math.max(1, r.interval().getNano() > 0 ? s + 1 : s);
    }

    private static Uses usesWindow(ApiKey key, long nowSec) {
        if (key.refill().isEmpty()) return new Uses(0, Long.MAX_VALUE, key.remaining().getAsLong());
        Refill r = key.refill().get();
        long interval = intervalSeconds(r);
        long created = key.createdAt().getEpochSecond();
        long start = nowSec <= created ? created : created + ((nowSec - created) / interval) * interval;
        long end = start + interval;
        return new Uses(start, end < start ? Long.MAX_VALUE : end, r.amount());
    }

    private Period period(QuotaPeriod period, long nowSec) {
        int i = period.ordinal();
        Period p = cache[i]; // a racy read of an immutable record: at worst recomputed
        if (p != null && nowSec >= p.start && nowSec < p.end) return p;
        p = new Period(windows.start(period, nowSec), windows.end(period, nowSec));
        cache[i] = p;
        return p;
    }

    private static long secondsUntil(long endSec, long nowNanos) {
        long nanos = endSec > Long.MAX_VALUE / NANOS ? Long.MAX_VALUE : endSec * NANOS - nowNanos;
        return Math.max(1, Bandwidth.ceilSeconds(nanos));
    }

    private static RateLimitStatus quotaStatus(Quota q, Period p, long used, long nowNanos) {
        return new RateLimitStatus(QUOTA, q.limit(), Math.max(1, p.end - p.start), Math.max(0, q.limit() - used),
                secondsUntil(p.end, nowNanos));
    }

    private static QuotaResult denied(String detail, long retryAfter, Optional<RateLimitStatus> quota, OptionalLong uses) {
        return new QuotaResult(Outcome.USAGE_EXCEEDED, detail, retryAfter, quota, uses);
    }

    private static String adjective(QuotaPeriod p) {
        return switch (p) {
            case DAY -> "daily";
            case WEEK -> "weekly";
            case MONTH -> "monthly";
        };
    }

    /** Configuration; defaults: UTC, months from the 1st, weeks from Monday, no tiers. */
    public static final class Builder {
        private final UsageCounters counters;
        private ZoneId zone = ZoneId.of("UTC");
        private int monthAnchorDay = 1;
        private DayOfWeek firstDayOfWeek = DayOfWeek.MONDAY;
        private Tiers tiers = Tiers.NONE;

        private Builder(UsageCounters counters) {
            this.counters = Objects.requireNonNull(counters, "counters");
        }

        public Builder zone(ZoneId v) { zone = Objects.requireNonNull(v, "zone"); return this; }
        public Builder monthAnchorDay(int v) { monthAnchorDay = v; return this; }
        public Builder firstDayOfWeek(DayOfWeek v) { firstDayOfWeek = Objects.requireNonNull(v, "firstDayOfWeek"); return this; }
        /** The tiers whose quota applies to keys without their own ({@link #check(ApiKey, long, long)}). */
        public Builder tiers(Tiers v) { tiers = Objects.requireNonNull(v, "tiers"); return this; }

        public QuotaEnforcer build() {
            return new QuotaEnforcer(counters, QuotaWindows.of(zone, monthAnchorDay, firstDayOfWeek), tiers);
        }
    }
}
