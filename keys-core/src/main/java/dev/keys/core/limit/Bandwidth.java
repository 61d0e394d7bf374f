package dev.keys.core.limit;

import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;

import java.time.Duration;

/**
 * One configured bandwidth, compiled once: the constants and the integer maths of both state forms.
 *
 * <p><b>GCRA form</b> (theoretical arrival time), used when one token is a whole number of nanoseconds
 * ({@code T = duration / limit}) and a full bucket spans at most 2^60 ns (36 years): the state is one long, the time
 * {@code tat} at which the bucket would be full again. A request of {@code cost} at {@code now} passes iff
 * {@code max(tat, now) + cost * T - now <= capacity * T}; this is exactly the greedy token bucket, with no remainder
 * to carry because T is whole.
 *
 * <p><b>Exact form</b>, used for everything else (e.g. 3 per second, or durations of centuries): per bandwidth a
 * token count and a carried remainder (a fraction of a token, in units of 1/{@code per}). Time is counted in ticks
 * of 1 ns, or of 1 µs, 1 ms or 1 s for durations too long for a long of nanoseconds (over 146 years), and the
 * fraction limit/duration is reduced by its gcd; products that do not fit a long are done in 128 bits
 * ({@link U128}). Nothing overflows for any value a {@link RateLimit} accepts.
 */
final class Bandwidth {
    static final long MAX_GCRA_HORIZON = 1L << 60;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long TICK_LIMIT = 1L << 62;

    final RateLimit limit;
    /** The name as the RateLimit fields write it (an sf-string), rendered once. */
    final String fieldName;
    final long capacity;
    final long windowSeconds;

    // GCRA form
    final boolean gcra;
    final long interval; // T: nanoseconds per token
    final long horizon;  // capacity * T

    // exact form: tokensPer tokens every per ticks, reduced by their gcd
    final long tickNanos;
    final long ticksPerSecond;
    final long tokensPer;
    final long per;

    Bandwidth(RateLimit limit) {
        this.limit = limit;
        this.fieldName = RateLimitFields.sfString(limit.name());
        this.capacity = limit.capacity();
        Duration d = limit.duration();
        long seconds = d.getSeconds();
        int nano = d.getNano();
        this.windowSeconds = Math.max(1, nano > 0 ? seconds + 1 : seconds);

        long tick;
        long ticks;
        if (seconds < TICK_LIMIT / NANOS_PER_SECOND) {
            tick = 1;
            ticks = seconds * NANOS_PER_SECOND + nano;
        } else if (seconds < TICK_LIMIT / 1_000_000L) {
            tick = 1_000;
            ticks = seconds * 1_000_000L + nano / 1_000;
        } else if (seconds < TICK_LIMIT / 1_000L) {
            tick = 1_000_000;
            ticks = seconds * 1_000L + nano / 1_000_000;
        } else {
            tick = NANOS_PER_SECOND;
            ticks = seconds; // a sub-second part of a duration over 146 million years is dropped
        }
        this.tickNanos = tick;
        this.ticksPerSecond = NANOS_PER_SECOND / tick;
        long g = gcd(limit.limit(), ticks);
        this.tokensPer = limit.limit() / g;
        this.per = ticks / g;

        boolean whole = tick == 1 && tokensPer == 1;
        this.gcra = whole && capacity <= MAX_GCRA_HORIZON / per;
        this.interval = whole ? per : 0;
        this.horizon = gcra ? capacity * per : 0;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    static long ceilDiv(long a, long b) {
        long q = a / b;
        return q * b == a ? q : q + 1;
    }

    static long ceilSeconds(long nanos) {
        return nanos <= 0 ? 0 : ceilDiv(nanos, NANOS_PER_SECOND);
    }

    // ---- GCRA form ----

    /** Nanoseconds until the bucket is full again; 0 when it is full. Safe for the initial tat of Long.MIN_VALUE. */
    static long debt(long tat, long now) {
        if (tat <= now) return 0;
        long d = tat - now;
        return d < 0 ? Long.MAX_VALUE : d;
    }

    /** The tat after taking {@code cost} tokens at {@code now}; the caller checks {@link #fits}. */
    long nextTat(long tat, long now, long cost) {
        long base = tat > now ? tat : now;
        long next = base + cost * interval; // cost <= capacity, so cost * interval <= horizon <= 2^60
        return next < base ? Long.MAX_VALUE : next;
    }

    boolean fits(long nextTat, long now) {
        return debt(nextTat, now) <= horizon;
    }

    long gcraRemaining(long tat, long now) {
        return Math.max(0, capacity - ceilDiv(debt(tat, now), interval));
    }

    /** Seconds until {@code nextTat} (the state the denied request would have made) fits, at least 1. */
    long gcraRetrySeconds(long nextTat, long now) {
        return Math.max(1, ceilSeconds(debt(nextTat, now) - horizon));
    }

    RateLimitStatus gcraStatus(long tat, long now) {
        return new RateLimitStatus(limit.name(), limit.limit(), windowSeconds, gcraRemaining(tat, now), ceilSeconds(debt(tat, now)));
    }

    /** {@link #gcraStatus}'s member of the {@code RateLimit} field, without the status. */
    void appendGcraState(StringBuilder sb, long tat, long now) {
        RateLimitFields.appendState(sb, fieldName, gcraRemaining(tat, now), ceilSeconds(debt(tat, now)));
    }

    // ---- exact form: state is (tokens, remainder) with 0 <= tokens <= capacity, 0 <= remainder < per ----

    /** Whole ticks between two clock readings {@code last <= now}; saturated. */
    long elapsedTicks(long last, long now) {
        long e = Math.floorDiv(now, tickNanos) - Math.floorDiv(last, tickNanos);
        return e < 0 ? Long.MAX_VALUE : e;
    }

    /** Refills (tokens, rem) by {@code ticks} into out[i], out[i + 1]. */
    void refill(long tokens, long rem, long ticks, long[] out, int i) {
        if (tokens >= capacity || ticks == 0) {
            out[i] = tokens;
            out[i + 1] = rem;
            return;
        }
        long totalHi = U128.mulAddHi(ticks, tokensPer, rem);
        long totalLo = U128.mulAddLo(ticks, tokensPer, rem);
        long missing = capacity - tokens;
        if (U128.compare(totalHi, totalLo, Math.multiplyHigh(missing, per), missing * per) >= 0) {
            out[i] = capacity;
            out[i + 1] = 0;
            return;
        }
        long added;
        if (totalHi == 0 && totalLo >= 0) {
            added = totalLo / per;
        } else {
            added = U128.div(totalHi, totalLo, per); // below missing, so it fits
        }
        out[i] = tokens + added;
        out[i + 1] = totalLo - added * per;
    }

    /** Seconds until (tokens, rem) holds {@code wanted} tokens, rounded up and saturated; 0 when it already does. */
    long secondsUntil(long tokens, long rem, long wanted) {
        if (tokens >= wanted) return 0;
        long lacking = wanted - tokens;
        long hi = Math.multiplyHigh(lacking, per);
        long lo = lacking * per;
        if (Long.compareUnsigned(lo, rem) < 0) hi--;
        lo -= rem;
        long[] n = {hi, lo}; // lacking tokens in units of 1/per token; tokensPer such units come per tick
        U128.ceilDivInPlace(n, tokensPer);
        if (tickNanos > 1) U128.incrementInPlace(n); // the tick under way does not count
        U128.ceilDivInPlace(n, ticksPerSecond);
        return U128.saturated(n);
    }

    RateLimitStatus exactStatus(long tokens, long rem) {
        return new RateLimitStatus(limit.name(), limit.limit(), windowSeconds, tokens, secondsUntil(tokens, rem, capacity));
    }
}
