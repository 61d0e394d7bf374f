package dev.keys.core.limit;

import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Several bandwidths in GCRA form. The state is an immutable {@link State} (the clock reading and one tat per
 * bandwidth, the first two inline so that two bandwidths cost one 40-byte object), replaced by one CAS; the new state
 * is the admitted call's report, an exact snapshot.
 */
abstract class GcraMultiLimiter extends PaddedLimiter {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(GcraMultiLimiter.class, "state", State.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile State state;

    GcraMultiLimiter(List<RateLimit> limits, Bandwidth[] bandwidths) {
        super(limits, bandwidths);
        long[] rest = bandwidths.length > 2 ? new long[bandwidths.length - 2] : null;
        if (rest != null) java.util.Arrays.fill(rest, Long.MIN_VALUE);
        state = State.of(this, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, rest);
    }

    @Override
    public LimitResult tryConsume(long cost, long nowNanos) {
        if (cost <= 0 || cost > maxCost()) {
            checkCost(cost);
            return overCapacity(cost, nowNanos);
        }
        Bandwidth[] bws = bandwidths;
        for (;;) {
            State s = (State) STATE.getVolatile(this);
            long now = Math.max(nowNanos, s.now);
            long t0 = bws[0].nextTat(s.t0, now, cost);
            long t1 = bws[1].nextTat(s.t1, now, cost);
            long[] rest = null;
            long[] seenRest = s.rest();
            if (seenRest != null) {
                rest = new long[seenRest.length];
                for (int i = 0; i < rest.length; i++) rest[i] = bws[i + 2].nextTat(seenRest[i], now, cost);
            }
            if (!bws[0].fits(t0, now) || !bws[1].fits(t1, now) || !restFits(rest, now)) {
                return new Denied(seen(s, now), now, t0, t1, rest);
            }
            State n = State.of(this, now, t0, t1, rest);
            if (STATE.compareAndSet(this, s, n)) return n;
        }
    }

    /**
     * Records a later clock reading on a denial (one CAS, no retry: if another call won, it saw a reading at least as
     * late), so that a clock going back afterwards counts from it; otherwise a later reading than the last admitted
     * one would be forgotten.
     */
    private State seen(State s, long now) {
        if (now <= s.now) return s;
        State n = State.of(this, now, s.t0, s.t1, s.rest());
        STATE.compareAndSet(this, s, n);
        return n;
    }

    private boolean restFits(long[] rest, long now) {
        if (rest == null) return true;
        for (int i = 0; i < rest.length; i++) {
            if (!bandwidths[i + 2].fits(rest[i], now)) return false;
        }
        return true;
    }

    @Override
    protected List<RateLimitStatus> peek(long nowNanos) {
        State s = (State) STATE.getVolatile(this);
        return s.statusesAt(Math.max(nowNanos, s.now));
    }

    /**
     * The state after an admitted call, and that call's report: 40 bytes for two bandwidths (12-byte header, owner,
     * three longs); more bandwidths take {@link StateN} and its array.
     */
    static class State implements LimitResult {
        final GcraMultiLimiter owner;
        final long now;
        final long t0;
        final long t1;

        State(GcraMultiLimiter owner, long now, long t0, long t1) {
            this.owner = owner;
            this.now = now;
            this.t0 = t0;
            this.t1 = t1;
        }

        static State of(GcraMultiLimiter owner, long now, long t0, long t1, long[] rest) {
            return rest == null ? new State(owner, now, t0, t1) : new StateN(owner, now, t0, t1, rest);
        }

        long[] rest() {
            return null;
        }

        long tat(int i) {
            return i == 0 ? t0 : i == 1 ? t1 : rest()[i - 2];
        }

        @Override
        public boolean admitted() {
            return true;
        }

        @Override
        public List<RateLimitStatus> statuses() {
            return statusesAt(now);
        }

        List<RateLimitStatus> statusesAt(long at) {
            Bandwidth[] bws = owner.bandwidths;
            List<RateLimitStatus> out = new ArrayList<>(bws.length);
            for (int i = 0; i < bws.length; i++) out.add(bws[i].gcraStatus(tat(i), at));
            return List.copyOf(out);
        }

        @Override
        public String policyField() {
            return owner.policyField;
        }

        /** {@link #statuses()}' field, without the statuses. */
        @Override
        public String stateField() {
            Bandwidth[] bws = owner.bandwidths;
            StringBuilder sb = new StringBuilder(48 * bws.length);
            for (int i = 0; i < bws.length; i++) {
                if (i > 0) sb.append(", ");
                bws[i].appendGcraState(sb, tat(i), now);
            }
            return sb.toString();
        }

        @Override
        public long retryAfterSeconds() {
            return 0;
        }
    }

    static final class StateN extends State {
        final long[] rest;

        StateN(GcraMultiLimiter owner, long now, long t0, long t1, long[] rest) {
            super(owner, now, t0, t1);
            this.rest = rest;
        }

        @Override
        long[] rest() {
            return rest;
        }
    }

    /** A denial: the state it saw and the tats the request would have made. */
    private record Denied(State seen, long now, long n0, long n1, long[] nrest) implements LimitResult {
        private long next(int i) {
            return i == 0 ? n0 : i == 1 ? n1 : nrest[i - 2];
        }

        @Override
        public boolean admitted() {
            return false;
        }

        /** Per bandwidth: tokens now, and seconds until this request's cost is back where it lacks, else until full. */
        @Override
        public List<RateLimitStatus> statuses() {
            Bandwidth[] bws = seen.owner.bandwidths;
            List<RateLimitStatus> out = new ArrayList<>(bws.length);
            for (int i = 0; i < bws.length; i++) {
                Bandwidth b = bws[i];
                long tat = seen.tat(i);
                long reset = b.fits(next(i), now) ? Bandwidth.ceilSeconds(Bandwidth.debt(tat, now)) : b.gcraRetrySeconds(next(i), now);
                out.add(new RateLimitStatus(b.limit.name(), b.limit.limit(), b.windowSeconds, b.gcraRemaining(tat, now), reset));
            }
            return List.copyOf(out);
        }

        @Override
        public long retryAfterSeconds() {
            Bandwidth[] bws = seen.owner.bandwidths;
            long max = 1;
            for (int i = 0; i < bws.length; i++) {
                if (!bws[i].fits(next(i), now)) max = Math.max(max, bws[i].gcraRetrySeconds(next(i), now));
            }
            return max;
        }

        @Override
        public String detail() {
            Bandwidth[] bws = seen.owner.bandwidths;
            Bandwidth worst = null;
            long max = -1;
            for (int i = 0; i < bws.length; i++) {
                if (!bws[i].fits(next(i), now)) {
                    long r = bws[i].gcraRetrySeconds(next(i), now);
                    if (r > max) {
                        max = r;
                        worst = bws[i];
                    }
                }
            }
            return exceeded(worst);
        }
    }

    /** The limiter as made: its trailing fields pad the state's cache line on that side ({@link PaddedLimiter}). */
    static final class Padded extends GcraMultiLimiter {
        @SuppressWarnings("unused")
        private long q1, q2, q3, q4, q5, q6, q7;

        Padded(List<RateLimit> limits, Bandwidth[] bandwidths) {
            super(limits, bandwidths);
        }
    }
}
