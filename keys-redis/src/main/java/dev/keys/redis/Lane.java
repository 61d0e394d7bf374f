package dev.keys.redis;

import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;

import java.math.BigInteger;

/**
 * One bandwidth of a key as the script sees it: a field of one of the key's hashes, with its constants in units of
 * 1/limit ns. In those units a token is exactly {@code duration} (in ns) units and the bucket holds
 * {@code capacity * duration}; a time t is {@code (t + 2^63) * limit}. Everything is then integer addition and
 * comparison in the script, exact for every value a {@link RateLimit} accepts (all sums stay below 10^48), and the in-process
 * limiter's statuses come out of the one number the script answers, the debt (see {@link #status}).
 */
final class Lane {
    static final int DIGITS = 48;
    private static final BigInteger OFFSET = BigInteger.ONE.shiftLeft(63);
    private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);
    /** Lanes whose token is a whole number of ns below this horizon are counted in longs by a lease. */
    private static final long LEASE_HORIZON = 1L << 60;

    final RateLimit limit;
    /** Index of the lane's hash among the key's hashes. */
    final int key;
    final String field;
    final BigInteger perNano;
    final BigInteger perToken;
    final BigInteger horizon;
    final String horizonDigits;
    private final BigInteger perSecond;
    /** The arguments of the usual cost of 1, made once. */
    private final String oneDigits, roomOneDigits;
    final long capacity;
    final long windowSeconds;
    /** Nanoseconds per token when whole and the bucket spans at most 2^60 ns, so a lease can count it in longs; else 0. */
    final long tokenNanos;

    Lane(RateLimit limit, int key) {
        this.limit = limit;
        this.key = key;
        this.field = limit.name() + "/" + limit.limit() + "/" + limit.duration() + "/" + limit.burst();
        this.perNano = BigInteger.valueOf(limit.limit());
        long seconds = limit.duration().getSeconds();
        int nano = limit.duration().getNano();
        this.perToken = BigInteger.valueOf(seconds).multiply(NANOS_PER_SECOND).add(BigInteger.valueOf(nano));
        this.capacity = limit.capacity();
        this.horizon = perToken.multiply(BigInteger.valueOf(capacity));
        this.horizonDigits = digits(horizon);
        this.perSecond = perNano.multiply(NANOS_PER_SECOND);
        this.windowSeconds = Math.max(1, nano > 0 ? seconds + 1 : seconds);
        BigInteger[] t = perToken.divideAndRemainder(perNano);
        boolean whole = t[1].signum() == 0 && t[0].bitLength() < 63
                && t[0].multiply(BigInteger.valueOf(capacity)).compareTo(BigInteger.valueOf(LEASE_HORIZON)) <= 0;
        this.tokenNanos = whole ? t[0].longValueExact() : 0;
        this.oneDigits = digits(perToken);
        this.roomOneDigits = digits(horizon.subtract(perToken));
    }

    /** {@code cost} tokens, as the script's argument. */
    String costDigits(long cost) {
        return cost == 1 ? oneDigits : digits(tokens(cost));
    }

    /** The capacity less {@code cost} tokens (never negative: a cost above the capacity never reaches the script). */
    String roomDigits(long cost) {
        return cost == 1 ? roomOneDigits : digits(horizon.subtract(tokens(cost)));
    }

    static String digits(BigInteger v) {
        String s = v.toString();
        if (v.signum() < 0 || s.length() > DIGITS) throw new IllegalStateException("out of the script's range: " + s);
        return "0".repeat(DIGITS - s.length()) + s;
    }

    /** Nanoseconds as the script's unsigned offset from -2^63. */
    static String nanos(long nanos) {
        return digits(BigInteger.valueOf(nanos).add(OFFSET));
    }

    /** A time in this lane's units. */
    BigInteger at(long nanos) {
        return BigInteger.valueOf(nanos).add(OFFSET).multiply(perNano);
    }

    BigInteger tokens(long n) {
        return perToken.multiply(BigInteger.valueOf(n));
    }

    /** A time in this lane's units back in ns; exact for whole lanes, whose times are multiples of the limit. */
    long nanosOf(BigInteger units) {
        return units.divide(perNano).subtract(OFFSET).longValueExact();
    }

    /** Whether {@code cost} tokens fit a lane that owes {@code debt} units. */
    boolean fits(BigInteger debt, long cost) {
        return debt.add(tokens(cost)).compareTo(horizon) <= 0;
    }

    /** The state of a lane that owes {@code debt} units, as the in-process limiter reports it. */
    RateLimitStatus status(BigInteger debt) {
        return new RateLimitStatus(limit.name(), limit.limit(), windowSeconds, remaining(debt), ceilDiv(debt, perSecond));
    }

    /** The state of a lane that refused {@code cost}: when it lacks tokens, the wait for them, at least 1 s. */
    RateLimitStatus refusal(BigInteger debt, long cost) {
        if (fits(debt, cost)) return status(debt);
        return new RateLimitStatus(limit.name(), limit.limit(), windowSeconds, remaining(debt), Math.max(1, secondsUntil(debt, cost)));
    }

    /** Seconds until {@code cost} tokens fit, rounded up and saturated; 0 when they already do. */
    long secondsUntil(BigInteger debt, long cost) {
        BigInteger over = debt.add(tokens(cost)).subtract(horizon);
        return over.signum() <= 0 ? 0 : ceilDiv(over, perSecond);
    }

    private long remaining(BigInteger debt) {
        return Math.max(0, capacity - ceilDiv(debt, perToken));
    }

    private static long ceilDiv(BigInteger a, BigInteger b) {
        if (a.signum() <= 0) return 0;
        BigInteger[] q = a.divideAndRemainder(b);
        BigInteger r = q[1].signum() == 0 ? q[0] : q[0].add(BigInteger.ONE);
        return r.bitLength() < 64 ? r.longValue() : Long.MAX_VALUE;
    }
}
