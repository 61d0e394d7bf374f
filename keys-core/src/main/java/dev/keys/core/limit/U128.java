package dev.keys.core.limit;

/**
 * The few unsigned 128-bit operations the exact token bucket needs, on primitive pairs so that nothing is allocated.
 * Products of two non-negative longs are below 2^126, so the (hi, lo) pairs here never overflow.
 */
final class U128 {
    private U128() {
    }

    /** High word of a * b + c for non-negative a, b, c. */
    static long mulAddHi(long a, long b, long c) {
        long lo = a * b;
        long hi = Math.multiplyHigh(a, b);
        long sum = lo + c;
        return Long.compareUnsigned(sum, lo) < 0 ? hi + 1 : hi;
    }

    /** Low word of a * b + c. */
    static long mulAddLo(long a, long b, long c) {
        return a * b + c;
    }

    /** Compares (aHi, aLo) with (bHi, bLo), both unsigned 128-bit. */
    static int compare(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }

    /**
     * Unsigned (hi, lo) / d for 0 < d < 2^63 and hi < d, so that the quotient fits in 64 unsigned bits. Restoring
     * division, one bit per step: slow (about 64 steps) but only taken when a product no longer fits in a long.
     */
    static long div(long hi, long lo, long d) {
        long r = hi;
        long q = 0;
        for (int i = 63; i >= 0; i--) {
            r = (r << 1) | ((lo >>> i) & 1);
            q <<= 1;
            if (Long.compareUnsigned(r, d) >= 0) {
                r -= d;
                q |= 1;
            }
        }
        return q;
    }

    /** ceil((hi, lo) / d) for 0 < d < 2^63, saturated at Long.MAX_VALUE. */
    static long divCeilSaturated(long hi, long lo, long d) {
        if (hi == 0 && lo >= 0) {
            long q = lo / d;
            return q * d == lo ? q : q + 1;
        }
        if (Long.compareUnsigned(hi, d) >= 0) return Long.MAX_VALUE;
        long q = div(hi, lo, d);
        if (q < 0) return Long.MAX_VALUE;
        long rem = lo - q * d; // the low word of the remainder is the remainder: it is below d < 2^63
        return rem == 0 ? q : (q == Long.MAX_VALUE ? q : q + 1);
    }

    /**
     * Replaces the unsigned 128-bit number n = (n[0], n[1]) by ceil(n / d), for 0 < d < 2^63. Used only to report
     * waits, so the array is fine.
     */
    static void ceilDivInPlace(long[] n, long d) {
        long hi = n[0];
        long lo = n[1];
        long qHi = Long.divideUnsigned(hi, d);
        long qLo = div(Long.remainderUnsigned(hi, d), lo, d);
        if (lo - qLo * d != 0) {
            qLo++;
            if (qLo == 0) qHi++;
        }
        n[0] = qHi;
        n[1] = qLo;
    }

    /** n + 1 in place. */
    static void incrementInPlace(long[] n) {
        n[1]++;
        if (n[1] == 0) n[0]++;
    }

    /** n as a long, Long.MAX_VALUE when it does not fit. */
    static long saturated(long[] n) {
        return n[0] != 0 || n[1] < 0 ? Long.MAX_VALUE : n[1];
    }
}
