package dev.keys.redis;

import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * One bandwidth of a key as the script sees it: a field of one of the key's hashes, with its constants in units of
 * 1/limit ns. In those units a token is exactly {@code duration} (in ns) units and the bucket holds
 * {@code capacity * duration}; a time t is {@code (t + 2^63) * limit}. Everything is then integer addition and
 * comparison in the script, exact for every value a {@link RateLimit} accepts (all sums stay below 10^48), and the in-process
 * limiter's statuses come out of the one number the script answers, the debt (see {@link #status}).
 *
 * <p>On the wire a number is {@value #WIDTH} bytes: four limbs in base 10^12, most significant first, each a big-endian
 * IEEE double (exact, as every limb is an integer below 2^53), which the script reads with one
 * {@code struct.unpack('>dddd')} and writes with one {@code struct.pack}. Decimal text cost the script a
 * {@code string.sub} and a {@code tonumber} per limb, most of its time; the arguments that never change (a cost of 1,
 * the room it leaves, the field) are encoded once here.
 */
final class Lane {
    /** Bytes of one number in the script's arguments, state and replies. */
    static final int WIDTH = 32;
    private static final BigInteger LIMIT = BigInteger.TEN.pow(48);
    private static final BigInteger LIMB = BigInteger.valueOf(1_000_000_000_000L);
    private static final BigInteger TWO_LIMBS = LIMB.multiply(LIMB);
    private static final BigInteger OFFSET = BigInteger.ONE.shiftLeft(63);
    private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);
    /** Lanes whose token is a whole number of ns below this horizon are counted in longs by a lease. */
    private static final long LEASE_HORIZON = 1L << 60;

    final RateLimit limit;
    /** Index of the lane's hash among the key's hashes. */
    final int key;
    /** The lane's field in its hash, as the script's argument. */
    final byte[] field;
    final BigInteger perNano;
    final BigInteger perToken;
    final BigInteger horizon;
    private final BigInteger perSecond;
    /** The arguments of the usual cost of 1, made once. */
    private final byte[] one, roomOne;
    final long capacity;
    final long windowSeconds;
    /** Nanoseconds per token when whole and the bucket spans at most 2^60 ns, so a lease can count it in longs; else 0. */
    final long tokenNanos;

    Lane(RateLimit limit, int key) {
        this.limit = limit;
        this.key = key;
        this.field = (limit.name() + "/" + limit.limit() + "/" + limit.duration() + "/" + limit.burst()).getBytes(StandardCharsets.UTF_8);
        this.perNano = BigInteger.valueOf(limit.limit());
        long seconds = limit.duration().getSeconds();
        int nano = limit.duration().getNano();
        this.perToken = BigInteger.valueOf(seconds).multiply(NANOS_PER_SECOND).add(BigInteger.valueOf(nano));
        this.capacity = limit.capacity();
        this.horizon = perToken.multiply(BigInteger.valueOf(capacity));
        this.perSecond = perNano.multiply(NANOS_PER_SECOND);
        this.windowSeconds = Math.max(1, nano > 0 ? seconds + 1 : seconds);
        BigInteger[] t = perToken.divideAndRemainder(perNano);
        boolean whole = t[1].signum() == 0 && t[0].bitLength() < 63
                && t[0].multiply(BigInteger.valueOf(capacity)).compareTo(BigInteger.valueOf(LEASE_HORIZON)) <= 0;
        this.tokenNanos = whole ? t[0].longValueExact() : 0;
        this.one = bytes(perToken);
        this.roomOne = bytes(horizon.subtract(perToken));
    }

    /** {@code cost} tokens, as the script's argument. */
    byte[] cost(long cost) {
        return cost == 1 ? one : bytes(tokens(cost));
    }

    /** The capacity less {@code cost} tokens (never negative: a cost above the capacity never reaches the script). */
    byte[] room(long cost) {
        return cost == 1 ? roomOne : bytes(horizon.subtract(tokens(cost)));
    }

    /** {@code v} as the script's number. */
    static byte[] bytes(BigInteger v) {
        return put(v, new byte[WIDTH], 0);
    }

    /** Writes {@code v} as the script's number at {@code at} of {@code into}; returns {@code into}. */
    static byte[] put(BigInteger v, byte[] into, int at) {
        if (v.signum() < 0 || v.compareTo(LIMIT) >= 0) throw new IllegalStateException("out of the script's range: " + v);
        BigInteger[] high = v.divideAndRemainder(TWO_LIMBS);
        limbs(high[0], into, at);
        limbs(high[1], into, at + WIDTH / 2);
        return into;
    }

    /** Two limbs of a value below 10^24. */
    private static void limbs(BigInteger v, byte[] into, int at) {
        long hi, lo;
        if (v.bitLength() < 63) {
            hi = v.longValue() / LIMB.longValue();
            lo = v.longValue() % LIMB.longValue();
        } else {
            BigInteger[] q = v.divideAndRemainder(LIMB);
            hi = q[0].longValue();
            lo = q[1].longValue();
        }
        putLong(Double.doubleToRawLongBits(hi), into, at);
        putLong(Double.doubleToRawLongBits(lo), into, at + 8);
    }

    private static void putLong(long v, byte[] into, int at) {
        for (int i = 7; i >= 0; i--, v >>>= 8) into[at + i] = (byte) v;
    }

    /** The script's number at {@code at} of {@code b}. */
    static BigInteger number(byte[] b, int at) {
        BigInteger high = pair(limb(b, at), limb(b, at + 8)), low = pair(limb(b, at + 16), limb(b, at + 24));
        return high.signum() == 0 ? low : high.multiply(TWO_LIMBS).add(low);
    }

    /** {@code hi * 10^12 + lo}, in a long when it fits. */
    private static BigInteger pair(long hi, long lo) {
        return hi < 9_000_000 ? BigInteger.valueOf(hi * LIMB.longValue() + lo) : BigInteger.valueOf(hi).multiply(LIMB).add(BigInteger.valueOf(lo));
    }

    private static long limb(byte[] b, int at) {
        long bits = 0;
        for (int i = 0; i < 8; i++) bits = bits << 8 | (b[at + i] & 0xff);
        double d = Double.longBitsToDouble(bits);
        if (!(d >= 0 && d < 1e12) || d != Math.rint(d)) throw new IllegalStateException("not a limb of the script's: " + d);
        return (long) d;
    }

    /** Nanoseconds as the script's unsigned offset from -2^63. */
    static byte[] nanos(long nanos) {
        return bytes(BigInteger.valueOf(nanos).add(OFFSET));
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
