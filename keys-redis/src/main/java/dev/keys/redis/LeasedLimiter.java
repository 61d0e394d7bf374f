package dev.keys.redis;

import dev.keys.api.ApiKey;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;
import dev.keys.core.limit.LimitResult;
import dev.keys.core.limit.RateLimiter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code LOCAL_FIRST}: tokens reserved in Redis in batches (a lease) and spent here, so that most requests are one
 * compare-and-swap in process and the fleet still never admits more than the limit.
 *
 * <p>Why it holds. A lease is a reservation in the shared bucket: while it lasts, its tokens count against the
 * bucket's capacity for every other caller ({@code out} in the script), so they cannot be given twice, and no refill
 * can bring them back. What an instance spends from its lease it reports at its next call, as the GCRA of its own
 * uses (how many, and when the last of them lets the lane be full again), which Redis applies as if they had come
 * then: exactly what one bucket would have seen. A lease that is never reported (a crash) lapses after
 * {@code leaseTime + clockSkew} and counts as wholly spent. Only lanes whose token is a whole number of ns are leased
 * (their uses are counted in longs); a key with any other lane takes one round trip per request, as in EXACT.
 *
 * <p>What it costs. A lease holds back what it has not spent: at most {@code size} tokens per instance and key, at
 * most a fraction of the smallest capacity, for at most {@code leaseTime}; an instance that falls idle gives it back
 * at its next call or on close, else at the lapse (then those tokens come back at the refill rate). The size follows
 * the rate this instance observed, so an instance serves about {@code leaseTime} of its own traffic per round trip.
 * After a refusal the bucket's state is known here and refusals are decided without Redis until it could admit.
 */
final class LeasedLimiter extends RateLimiter {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(LeasedLimiter.class, "state", Held.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Plan plan;
    private final Link link;
    private final Fallback fallback;
    private final Leases leases;
    private final long maxLease;
    @SuppressWarnings("unused") // through STATE
    private volatile Held state;
    // Under the monitor: the rate this instance spends tokens at, for the next lease's size.
    private double perNano;
    private long lastCall = Long.MIN_VALUE;
    /** The {@code RedisLimits}' limiters that hold a lease, to give back on close. */
    private final Set<LeasedLimiter> holders;

    LeasedLimiter(ApiKey key, List<RateLimit> limits, Plan plan, Link link, Fallback.Factory fallbacks, Leases leases,
                  Set<LeasedLimiter> holders) {
        super(limits);
        this.holders = holders;
        this.plan = plan;
        this.link = link;
        this.fallback = fallbacks.of(key, limits);
        this.leases = leases;
        long max = leases.maxSize;
        for (Lane l : plan.lanes) max = l.tokenNanos == 0 ? 0 : Math.min(max, (long) (l.capacity * leases.fraction));
        this.maxLease = max >= 2 ? max : 0;
        this.state = Held.fresh(this, null, Long.MIN_VALUE);
    }

    /** Settings shared by every leased limiter of one {@code RedisLimits}. */
    record Leases(long timeNanos, long skewNanos, double fraction, long maxSize) {
    }

    @Override
    public LimitResult tryConsume(long cost, long nowNanos) {
        if (cost <= 0 || cost > maxCost()) {
            checkCost(cost);
            return capacityDenial(cost, nowNanos);
        }
        for (;;) {
            Held s = (Held) STATE.getVolatile(this);
            long now = Math.max(nowNanos, s.seen);
            if (!s.serves(cost, now)) {
                LimitResult r = slow(cost, nowNanos);
                if (r != null) return r;
                continue; // another thread brought a lease meanwhile
            }
            Lane[] lanes = plan.lanes;
            long t0 = Math.max(s.t0, now) + cost * lanes[0].tokenNanos;
            long t1 = lanes.length > 1 ? Math.max(s.t1, now) + cost * lanes[1].tokenNanos : Long.MIN_VALUE;
            long[] rest = null;
            if (lanes.length > 2) {
                rest = new long[lanes.length - 2];
                for (int i = 0; i < rest.length; i++) rest[i] = Math.max(s.rest[i], now) + cost * lanes[i + 2].tokenNanos;
            }
            Held n = new Held(this, s.lease, s.used + cost, t0, t1, rest, now);
            if (STATE.compareAndSet(this, s, n)) return n;
        }
    }

    /** One thread per limiter talks to Redis; the others wait here and then spend the lease it brought. */
    private synchronized LimitResult slow(long cost, long nowNanos) {
        Held s = (Held) STATE.getVolatile(this);
        long now = Math.max(nowNanos, s.seen);
        if (s.serves(cost, now)) return null;
        BigInteger[] debts = null;
        if (s.lease != null) {
            // Refused here only on what this bucket surely owes: other leases may come back at any moment.
            debts = s.debts(now, false);
            for (int i = 0; i < debts.length; i++) {
                if (!plan.lanes[i].fits(debts[i], cost)) {
                    see(now);
                    return new Verdicts.Refused(plan.lanes, s.debts(now, true), cost);
                }
            }
            debts = s.debts(now, true);
        }
        if (!link.up()) return fallback.tryConsume(cost, nowNanos);
        s = freeze();
        String reportId = s.lease != null ? s.lease.id : "";
        byte[][] reports = reportId.isEmpty() ? null : s.report();
        long size = fitting(size(now, s.used + cost), debts, cost);
        String leaseId = size > 0 ? id() : "";
        Plan.Reply r;
        try {
            r = plan.reply(link.eval(plan.keys, plan.args(Plan.TAKE, now, cost, reportId, reports, leaseId,
                    now + leases.timeNanos + leases.skewNanos, size)), now);
        } catch (Link.Down e) {
            return fallback.tryConsume(cost, nowNanos); // the frozen lease is reported at the next call
        }
        boolean leased = r.status() == 2;
        STATE.setVolatile(this, Held.fresh(this, new Lease(leased ? leaseId : "", leased ? size : 0,
                leased ? now + leases.timeNanos : Long.MIN_VALUE, r.views(), r.outs()), now));
        if (leased) holders.add(this);
        return r.taken() ? new Verdicts.Taken(plan.lanes, r.debts()) : new Verdicts.Refused(plan.lanes, r.debts(), cost);
    }

    /** Records a later clock reading on a refusal decided here, so that a clock going back afterwards counts from it. */
    private void see(long now) {
        for (;;) {
            Held s = (Held) STATE.getVolatile(this);
            if (now <= s.seen || STATE.compareAndSet(this, s, s.with(s.lease, now))) return;
        }
    }

    /** Stops the lease at what it spent (one CAS against the spenders), so that a report counts every token it let through. */
    private Held freeze() {
        for (;;) {
            Held s = (Held) STATE.getVolatile(this);
            if (s.lease == null || s.lease.size == s.used) return s;
            Held f = s.with(s.lease.spentAt(s.used), s.seen);
            if (STATE.compareAndSet(this, s, f)) return f;
        }
    }

    /** The size of the next lease: about {@code leaseTime} of this instance's observed rate, 0 when not worth one. */
    private long size(long now, long spentSinceLastCall) {
        if (maxLease == 0 || now > Long.MAX_VALUE - (1L << 61)) return 0;
        if (lastCall != Long.MIN_VALUE) {
            double observed = spentSinceLastCall / (double) Math.max(1, now - lastCall);
            perNano = perNano == 0 ? observed : (perNano + observed) / 2;
        }
        lastCall = now;
        double want = Math.ceil(perNano * leases.timeNanos);
        if (want < 2) return 0;
        return want >= maxLease ? maxLease : (long) want;
    }

    /** No more than the last call's view says is left after {@code cost}, so that a lease near the limit still fits. */
    private long fitting(long size, BigInteger[] debts, long cost) {
        if (size == 0 || debts == null) return size;
        BigInteger max = BigInteger.valueOf(size);
        for (int i = 0; i < debts.length; i++) {
            Lane l = plan.lanes[i];
            BigInteger room = l.horizon.subtract(debts[i]).subtract(l.tokens(cost));
            if (room.signum() <= 0) return 0;
            max = max.min(room.divide(l.perToken));
        }
        return max.longValue() >= 2 ? max.longValue() : 0;
    }

    /** Gives back what the current lease has not spent (on close); a lease that cannot be given back lapses. */
    synchronized void giveBack(long nowNanos) {
        Held s = freeze();
        if (s.lease == null || s.lease.id.isEmpty() || !link.up()) return;
        try {
            link.eval(plan.keys, plan.args(Plan.GIVE, Math.max(nowNanos, s.seen), 1, s.lease.id, s.report(), "", 0, 0));
            STATE.setVolatile(this, s.with(new Lease("", 0, Long.MIN_VALUE, s.lease.view, s.lease.out), s.seen));
        } catch (Link.Down e) {
            // it lapses in Redis after leaseTime + clockSkew, counted as spent
        }
        holders.remove(this);
    }

    private static String id() {
        return String.format("%016x", ThreadLocalRandom.current().nextLong());
    }

    @Override
    protected List<RateLimitStatus> peek(long nowNanos) {
        Held s = (Held) STATE.getVolatile(this);
        if (s.lease != null) return Verdicts.statuses(plan.lanes, s.debts(Math.max(nowNanos, s.seen), true));
        if (link.up()) {
            try {
                return Verdicts.statuses(plan.lanes, plan.reply(link.eval(plan.keys, plan.args(Plan.PEEK, nowNanos, 1, "", null, "", 0, 0)), nowNanos).debts());
            } catch (Link.Down e) {
                // below
            }
        }
        return fallback.statuses(nowNanos);
    }

    /**
     * What this instance knows of the bucket after its last call: per lane, when it is full again as that call left
     * it and what other leases held then (both in lane units), and the reservation it holds ({@code id} empty for
     * none).
     */
    record Lease(String id, long size, long until, BigInteger[] view, BigInteger[] out) {
        Lease spentAt(long used) {
            return new Lease(id, used, until, view, out);
        }
    }

    /**
     * The local state, replaced by one CAS per request admitted from the lease, and that request's report: the lease,
     * the tokens spent from it and their own GCRA per lane (the tat in ns; the first two inline, so that a key of
     * one or two bandwidths costs one object per request), and the latest clock reading.
     */
    static final class Held implements LimitResult {
        final LeasedLimiter owner;
        final Lease lease;
        final long used;
        final long t0, t1;
        final long[] rest;
        final long seen;

        Held(LeasedLimiter owner, Lease lease, long used, long t0, long t1, long[] rest, long seen) {
            this.owner = owner;
            this.lease = lease;
            this.used = used;
            this.t0 = t0;
            this.t1 = t1;
            this.rest = rest;
            this.seen = seen;
        }

        Held with(Lease l, long at) {
            return new Held(owner, l, used, t0, t1, rest, at);
        }

        long tat(int i) {
            return i == 0 ? t0 : i == 1 ? t1 : rest[i - 2];
        }

        /** A state with no tokens spent from {@code lease} (null when nothing is known yet). */
        static Held fresh(LeasedLimiter owner, Lease lease, long seen) {
            int n = owner.plan.lanes.length;
            long[] rest = null;
            if (n > 2) {
                rest = new long[n - 2];
                Arrays.fill(rest, Long.MIN_VALUE);
            }
            return new Held(owner, lease, 0, Long.MIN_VALUE, Long.MIN_VALUE, rest, seen);
        }

        /** Whether the lease still holds {@code cost} unspent tokens at {@code now}. */
        boolean serves(long cost, long now) {
            return lease != null && lease.size - used >= cost && now < lease.until;
        }

        /**
         * What each lane owes at {@code now}: the last call's view plus the uses made since, as one bucket sees them,
         * and, {@code withOthers}, what other leases held at that call.
         */
        BigInteger[] debts(long now, boolean withOthers) {
            Lane[] lanes = owner.plan.lanes;
            BigInteger[] out = new BigInteger[lanes.length];
            for (int i = 0; i < lanes.length; i++) {
                BigInteger full = lease.view[i].add(lanes[i].tokens(used));
                if (used > 0) full = full.max(lanes[i].at(tat(i)));
                BigInteger d = full.subtract(lanes[i].at(now));
                out[i] = d.signum() > 0 ? d : BigInteger.ZERO;
                if (withOthers) out[i] = out[i].add(lease.out[i]);
            }
            return out;
        }

        /** The report of the lease: per lane, the units spent and when their own GCRA is full again. */
        byte[][] report() {
            Lane[] lanes = owner.plan.lanes;
            byte[][] r = new byte[lanes.length][];
            for (int i = 0; i < lanes.length; i++) {
                BigInteger tat = used > 0 ? lanes[i].at(tat(i)) : BigInteger.ZERO;
                r[i] = Lane.put(tat, Lane.put(lanes[i].tokens(used), new byte[2 * Lane.WIDTH], 0), Lane.WIDTH);
            }
            return r;
        }

        @Override
        public boolean admitted() {
            return true;
        }

        @Override
        public List<RateLimitStatus> statuses() {
            return Verdicts.statuses(owner.plan.lanes, debts(seen, true));
        }

        @Override
        public long retryAfterSeconds() {
            return 0;
        }
    }
}
