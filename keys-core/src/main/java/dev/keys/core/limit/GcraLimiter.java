package dev.keys.core.limit;

import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * One bandwidth in GCRA form: the whole state is {@code tat}, one long, so an admitted call is one CAS and no
 * allocation. Its report is {@link #admitted}, a view of this limiter read when asked for (right after the call in
 * the filter): exact for a key used by one thread at a time, and under concurrency it may already include requests
 * that came after. {@code seen}, the latest clock reading, makes a backward clock count as no time passed. It is
 * written with opaque (unfenced, untorn) stores before the CAS and read after {@code tat}, so a call judges the state
 * at no earlier time than the call that made it. Racing writers may leave an older reading in {@code seen}; then a
 * request with a stale reading is judged at that reading and sees fewer tokens, never more. Keeping the latest reading
 * exactly would cost a second CAS per call; the multi-bandwidth forms keep it in their state object.
 */
abstract class GcraLimiter extends PaddedLimiter {
    private static final VarHandle TAT;
    private static final VarHandle SEEN;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAT = l.findVarHandle(GcraLimiter.class, "tat", long.class);
            SEEN = l.findVarHandle(GcraLimiter.class, "seen", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Bandwidth bw;
    private final LimitResult admitted = new Admitted();
    @SuppressWarnings("unused") // through TAT
    private volatile long tat = Long.MIN_VALUE; // full
    @SuppressWarnings("unused") // through SEEN
    private long seen = Long.MIN_VALUE;

    GcraLimiter(List<RateLimit> limits, Bandwidth[] bandwidths) {
        super(limits, bandwidths);
        this.bw = bandwidths[0];
    }

    @Override
    public LimitResult tryConsume(long cost, long nowNanos) {
        if (cost <= 0 || cost > bw.capacity) {
            checkCost(cost);
            return overCapacity(cost, nowNanos);
        }
        for (;;) {
            long t = (long) TAT.getVolatile(this);
            long s = (long) SEEN.getOpaque(this); // after tat: at least the reading of the call that wrote t
            long now = nowNanos > s ? nowNanos : s;
            long next = bw.nextTat(t, now, cost);
            boolean fits = bw.fits(next, now);
            if (nowNanos > s) SEEN.setOpaque(this, nowNanos); // before the CAS, so whoever sees our tat sees it too
            if (!fits) return new Denied(bw, t, next, now);
            if (TAT.compareAndSet(this, t, next)) return admitted;
        }
    }

    @Override
    protected List<RateLimitStatus> peek(long nowNanos) {
        long t = (long) TAT.getVolatile(this);
        return List.of(bw.gcraStatus(t, Math.max(nowNanos, (long) SEEN.getOpaque(this))));
    }

    private final class Admitted implements LimitResult {
        @Override
        public boolean admitted() {
            return true;
        }

        @Override
        public List<RateLimitStatus> statuses() {
            long t = (long) TAT.getVolatile(GcraLimiter.this);
            return List.of(bw.gcraStatus(t, (long) SEEN.getOpaque(GcraLimiter.this)));
        }

        @Override
        public String policyField() {
            return policyField;
        }

        /** {@link #statuses()}' field, read the same way, without the status. */
        @Override
        public String stateField() {
            long t = (long) TAT.getVolatile(GcraLimiter.this);
            StringBuilder sb = new StringBuilder(bw.fieldName.length() + 40);
            bw.appendGcraState(sb, t, (long) SEEN.getOpaque(GcraLimiter.this));
            return sb.toString();
        }

        @Override
        public long retryAfterSeconds() {
            return 0;
        }
    }

    private record Denied(Bandwidth bw, long tat, long next, long now) implements LimitResult {
        @Override
        public boolean admitted() {
            return false;
        }

        @Override
        public List<RateLimitStatus> statuses() {
            return List.of(new RateLimitStatus(bw.limit.name(), bw.limit.limit(), bw.windowSeconds,
                    bw.gcraRemaining(tat, now), retryAfterSeconds()));
        }

        @Override
        public long retryAfterSeconds() {
            return bw.gcraRetrySeconds(next, now);
        }

        @Override
        public String detail() {
            return exceeded(bw);
        }
    }

    /** The limiter as made: its trailing fields pad the state's cache line on that side ({@link PaddedLimiter}). */
    static final class Padded extends GcraLimiter {
        @SuppressWarnings("unused")
        private long q1, q2, q3, q4, q5, q6, q7;

        Padded(List<RateLimit> limits, Bandwidth[] bandwidths) {
            super(limits, bandwidths);
        }
    }
}
