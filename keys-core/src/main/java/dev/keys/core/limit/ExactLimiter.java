package dev.keys.core.limit;

import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Any bandwidths, in the exact form of {@link Bandwidth}: per bandwidth a token count and a carried remainder,
 * refilled from the last clock reading. The state is an immutable {@link State} replaced by one CAS, and is the
 * admitted call's report. Refill is path-independent (refilling in two steps equals refilling once), so a denial
 * need not store its refill.
 */
abstract class ExactLimiter extends PaddedLimiter {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ExactLimiter.class, "state", State.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile State state;

    ExactLimiter(List<RateLimit> limits, Bandwidth[] bandwidths) {
        super(limits, bandwidths);
        long[] v = new long[2 * bandwidths.length];
        for (int i = 0; i < bandwidths.length; i++) v[2 * i] = bandwidths[i].capacity;
        state = new State(this, Long.MIN_VALUE, v);
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
            long[] v = refilled(s, now);
            boolean fits = true;
            for (int i = 0; i < bws.length; i++) fits &= v[2 * i] >= cost;
            if (!fits) {
                if (now > s.now) STATE.compareAndSet(this, s, new State(this, now, v)); // see below
                return new Denied(this, v, cost);
            }
            for (int i = 0; i < bws.length; i++) v[2 * i] -= cost;
            State n = new State(this, now, v);
            if (STATE.compareAndSet(this, s, n)) return n;
        }
    }

    // A denial records a later clock reading with one CAS and no retry (a call that won saw a reading at least as late),
    // so that a clock going back afterwards counts from it. The denial's array is never changed after that.

    private long[] refilled(State s, long now) {
        Bandwidth[] bws = bandwidths;
        long[] v = new long[s.v.length];
        for (int i = 0; i < bws.length; i++) {
            long ticks = s.now == Long.MIN_VALUE ? 0 : bws[i].elapsedTicks(s.now, now);
            bws[i].refill(s.v[2 * i], s.v[2 * i + 1], ticks, v, 2 * i);
        }
        return v;
    }

    @Override
    protected List<RateLimitStatus> peek(long nowNanos) {
        State s = (State) STATE.getVolatile(this);
        return statuses(bandwidths, refilled(s, Math.max(nowNanos, s.now)));
    }

    static List<RateLimitStatus> statuses(Bandwidth[] bws, long[] v) {
        List<RateLimitStatus> out = new ArrayList<>(bws.length);
        for (int i = 0; i < bws.length; i++) out.add(bws[i].exactStatus(v[2 * i], v[2 * i + 1]));
        return List.copyOf(out);
    }

    /** The state after an admitted call (tokens and remainder per bandwidth, already refilled to {@code now}). */
    static final class State implements LimitResult {
        final ExactLimiter owner;
        final long now;
        final long[] v;

        State(ExactLimiter owner, long now, long[] v) {
            this.owner = owner;
            this.now = now;
            this.v = v;
        }

        @Override
        public boolean admitted() {
            return true;
        }

        @Override
        public List<RateLimitStatus> statuses() {
            return ExactLimiter.statuses(owner.bandwidths, v);
        }

        @Override
        public String policyField() {
            return owner.policyField;
        }

        @Override
        public long retryAfterSeconds() {
            return 0;
        }
    }

    /** A denial, with the refilled state it saw. */
    private record Denied(ExactLimiter owner, long[] v, long cost) implements LimitResult {
        @Override
        public boolean admitted() {
            return false;
        }

        @Override
        public List<RateLimitStatus> statuses() {
            Bandwidth[] bws = owner.bandwidths;
            List<RateLimitStatus> out = new ArrayList<>(bws.length);
            for (int i = 0; i < bws.length; i++) {
                Bandwidth b = bws[i];
                long t = v[2 * i];
                long r = v[2 * i + 1];
                long reset = t >= cost ? b.secondsUntil(t, r, b.capacity) : Math.max(1, b.secondsUntil(t, r, cost));
                out.add(new RateLimitStatus(b.limit.name(), b.limit.limit(), b.windowSeconds, t, reset));
            }
            return List.copyOf(out);
        }

        @Override
        public long retryAfterSeconds() {
            Bandwidth[] bws = owner.bandwidths;
            long max = 1;
            for (int i = 0; i < bws.length; i++) max = Math.max(max, bws[i].secondsUntil(v[2 * i], v[2 * i + 1], cost));
            return max;
        }

        @Override
        public String detail() {
            Bandwidth[] bws = owner.bandwidths;
            int worst = -1;
            long max = -1;
            for (int i = 0; i < bws.length; i++) {
                if (v[2 * i] < cost) {
                    long s = bws[i].secondsUntil(v[2 * i], v[2 * i + 1], cost);
                    if (s > max) {
                        max = s;
                        worst = i;
                    }
                }
            }
            return exceeded(bws[worst]);
        }
    }

    /** The limiter as made: its trailing fields pad the state's cache line on that side ({@link PaddedLimiter}). */
    static final class Padded extends ExactLimiter {
        @SuppressWarnings("unused")
        private long q1, q2, q3, q4, q5, q6, q7;

        Padded(List<RateLimit> limits, Bandwidth[] bandwidths) {
            super(limits, bandwidths);
        }
    }
}
