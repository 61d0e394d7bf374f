package dev.keys.core.specs;

import dev.keys.core.limit.LimitResult;
import dev.keys.core.limit.RateLimiter;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link RateLimiter} must have, wherever its state lives: both in-process state forms
 * ({@code RateLimiterSpecTest}) and both modes of keys-redis run it, with a fake clock (plain longs of epoch nanos
 * passed in). A limiter's test extends this and supplies fresh, full limiters.
 */
public abstract class RateLimiterSpec {
    public static final long S = 1_000_000_000L;
    public static final long T0 = 1_700_000_000L * S;

    public static final RateLimit BURST = new RateLimit("burst", 10, Duration.ofSeconds(1));
    public static final RateLimit SUSTAINED = new RateLimit("sustained", 100, Duration.ofMinutes(1));

    /** A new limiter for these bandwidths, full, sharing no state with any other. */
    protected abstract RateLimiter limiter(List<RateLimit> limits);

    RateLimiter limiter(RateLimit... limits) {
        return limiter(List.of(limits));
    }

    /** How many of {@code attempts} requests of cost 1 at {@code now} pass. */
    public static int drain(RateLimiter l, long now, int attempts) {
        int n = 0;
        for (int i = 0; i < attempts; i++) if (l.tryConsume(1, now).admitted()) n++;
        return n;
    }

    @Test
    void aNewBucketStartsFullAndAdmitsExactlyItsCapacity() {
        RateLimiter l = limiter(new RateLimit("burst", 100, Duration.ofSeconds(1)));
        assertEquals(100, drain(l, T0, 1000));
        RateLimiter b = limiter(new RateLimit("b", 10, Duration.ofSeconds(1), 25));
        assertEquals(25, drain(b, T0, 1000));
    }

    @Test
    void burstThenSustained() {
        RateLimiter l = limiter(BURST, SUSTAINED); // a token every 100 ms, and every 600 ms
        assertEquals(10, drain(l, T0, 50));
        // a burst of 10 every second until the sustained bucket (100 + 1 per 600 ms) runs dry
        int total = 10;
        for (int sec = 1; sec <= 10; sec++) {
            assertEquals(10, drain(l, T0 + sec * S, 50), "second " + sec);
            total += 10;
        }
        // at t = 11 s: sustained allows 100 + floor(11 / 0.6) = 118 in all
        assertEquals(8, drain(l, T0 + 11 * S, 50));
        total += 8;
        assertEquals(118, total);
        // from then on, sustained alone: one per 600 ms
        assertEquals(0, drain(l, T0 + 11 * S + 399_999_999L, 5));
        assertEquals(1, drain(l, T0 + 11 * S + 400_000_000L, 5));
        assertEquals(1, drain(l, T0 + 12 * S, 5));
    }

    @Test
    void threeBandwidthsAllMustHaveTokens() {
        RateLimiter l = limiter(BURST, SUSTAINED, new RateLimit("day", 25, Duration.ofDays(1)));
        assertEquals(10, drain(l, T0, 50));
        assertEquals(10, drain(l, T0 + S, 50));
        assertEquals(5, drain(l, T0 + 2 * S, 50));
        LimitResult r = l.tryConsume(1, T0 + 3 * S);
        assertEquals("rate limit 'day' exceeded", r.detail());
        assertEquals(3456 - 3, r.retryAfterSeconds()); // a token per 3456 s, counted from T0
        assertEquals(3, r.statuses().size());
        assertEquals(List.of(new RateLimitStatus("burst", 10, 1, 10, 0), new RateLimitStatus("sustained", 100, 60, 80, 12),
                new RateLimitStatus("day", 25, 86400, 0, 3453)), r.statuses());
    }

    @Test
    void greedyRefillOfOneTokenAtATime() {
        RateLimiter l = limiter(new RateLimit("r", 3, Duration.ofSeconds(1))); // 333,333,333.3 ns per token
        assertEquals(3, drain(l, T0, 10));
        assertEquals(0, drain(l, T0 + 333_333_333L, 10));
        assertEquals(1, drain(l, T0 + 333_333_334L, 10));
        assertEquals(0, drain(l, T0 + 666_666_666L, 10));
        assertEquals(1, drain(l, T0 + 666_666_667L, 10));
        assertEquals(1, drain(l, T0 + S, 10));
    }

    @Test
    void denialReportsRetryAfterAndStatuses() {
        RateLimiter l = limiter(BURST, SUSTAINED);
        LimitResult ok = l.tryConsume(4, T0);
        assertTrue(ok.admitted());
        assertEquals(0, ok.retryAfterSeconds());
        assertEquals(List.of(new RateLimitStatus("burst", 10, 1, 6, 1), new RateLimitStatus("sustained", 100, 60, 96, 3)),
                ok.statuses());
        LimitResult no = l.tryConsume(7, T0);
        assertFalse(no.admitted());
        assertFalse(no.exceedsCapacity());
        assertEquals(1, no.retryAfterSeconds());
        assertEquals("rate limit 'burst' exceeded", no.detail());
        assertEquals(List.of(new RateLimitStatus("burst", 10, 1, 6, 1), new RateLimitStatus("sustained", 100, 60, 96, 3)),
                no.statuses());
        assertEquals(ok.statuses(), l.statuses(T0));
    }

    @Test
    void retryAfterIsRoundedUpAndAtLeastOne() {
        RateLimiter l = limiter(new RateLimit("m", 1, Duration.ofMillis(2500)));
        assertTrue(l.tryConsume(1, T0).admitted());
        assertEquals(3, l.tryConsume(1, T0).retryAfterSeconds());
        assertEquals(1, l.tryConsume(1, T0 + 2499_000_000L).retryAfterSeconds());
        assertEquals(3, l.limits().size() + 2);
        assertEquals(List.of(new RateLimitStatus("m", 1, 3, 0, 1)), l.statuses(T0 + 2499_000_000L));
    }

    @Test
    void costValidation() {
        RateLimiter l = limiter(BURST, SUSTAINED);
        assertThrows(IllegalArgumentException.class, () -> l.tryConsume(0, T0));
        assertThrows(IllegalArgumentException.class, () -> l.tryConsume(-1, T0));
        assertThrows(IllegalArgumentException.class, () -> l.tryConsume(Long.MIN_VALUE, T0));
        assertThrows(IllegalArgumentException.class, () -> RateLimiter.NONE.tryConsume(0, T0));
        assertEquals(10, l.maxCost());
        LimitResult r = l.tryConsume(11, T0);
        assertFalse(r.admitted());
        assertTrue(r.exceedsCapacity());
        assertEquals("cost 11 exceeds the capacity 10 of rate limit 'burst'", r.detail());
        assertEquals(1, r.retryAfterSeconds());
        assertEquals(2, r.statuses().size());
        assertTrue(l.tryConsume(Long.MAX_VALUE, T0).exceedsCapacity());
        assertTrue(l.tryConsume(10, T0).admitted(), "a capacity denial takes nothing");
        assertTrue(RateLimiter.NONE.tryConsume(Long.MAX_VALUE, T0).admitted());
        assertThrows(IllegalArgumentException.class, () -> RateLimiter.of(List.of(BURST, new RateLimit("burst", 1, Duration.ofDays(1)))));
        assertThrows(IllegalArgumentException.class, () -> limiter(BURST, new RateLimit("burst", 1, Duration.ofDays(1))));
    }

    @Test
    void clockStandingStillOrGoingBackwardsIsNoTimePassed() {
        RateLimiter l = limiter(new RateLimit("r", 10, Duration.ofSeconds(1)));
        long t = T0 + 100 * S;
        assertEquals(10, drain(l, t, 20));
        assertEquals(0, drain(l, t, 20));
        assertEquals(0, drain(l, t - 50 * S, 20), "backwards");
        assertEquals(0, drain(l, Long.MIN_VALUE, 20), "far backwards");
        assertEquals(0, drain(l, t + 99_999_999L, 20));
        assertEquals(1, drain(l, t + 100_000_000L, 20), "time counts from the latest reading, not from the backward one");
        assertEquals(0, drain(l, t, 20));
        assertEquals(10, drain(l, t + 10 * S, 20));
    }

    @Test
    void overflowSafeForExtremeConfigurations() {
        RateLimiter huge = limiter(new RateLimit("h", Long.MAX_VALUE, Duration.ofSeconds(1), Long.MAX_VALUE / 2));
        assertTrue(huge.tryConsume(Long.MAX_VALUE / 2, T0).admitted());
        assertFalse(huge.tryConsume(1, T0).admitted());
        assertTrue(huge.tryConsume(9_223_372_036L, T0 + 1).admitted()); // Long.MAX_VALUE / 1e9 per ns
        assertFalse(huge.tryConsume(1, T0 + 1).admitted());
        assertTrue(huge.tryConsume(Long.MAX_VALUE / 2, T0 + 365L * 24 * 3600 * S).admitted());

        RateLimiter millennium = limiter(new RateLimit("m", 10, Duration.ofDays(365 * 1000)));
        assertEquals(10, drain(millennium, T0, 20));
        long retry = millennium.tryConsume(1, T0).retryAfterSeconds();
        assertTrue(retry >= 3_153_600_000L && retry <= 3_153_600_001L, "a token per 100 years: " + retry);
        assertEquals(0, drain(millennium, T0 + 3_153_599_999L * S, 2));
        assertEquals(1, drain(millennium, T0 + 3_153_600_001L * S, 2));

        RateLimiter ages = limiter(new RateLimit("a", Long.MAX_VALUE, Duration.ofSeconds(Long.MAX_VALUE), Long.MAX_VALUE));
        assertTrue(ages.tryConsume(Long.MAX_VALUE, T0).admitted());
        assertFalse(ages.tryConsume(1, T0 + 1).admitted());
        assertTrue(ages.tryConsume(1, T0 + 1).retryAfterSeconds() >= 1);
        assertTrue(ages.tryConsume(1, T0 + 2 * S).admitted(), "a token per second");

        RateLimiter max = limiter(new RateLimit("x", Long.MAX_VALUE, Duration.ofNanos(1)));
        assertTrue(max.tryConsume(Long.MAX_VALUE, 0).admitted());
        assertTrue(max.tryConsume(Long.MAX_VALUE, 1).admitted());
        assertTrue(max.tryConsume(Long.MAX_VALUE, Long.MAX_VALUE).admitted());
        assertEquals(1, max.tryConsume(Long.MAX_VALUE, Long.MAX_VALUE).retryAfterSeconds());

        RateLimiter big = limiter(new RateLimit("b", 1, Duration.ofDays(365L * 200), Long.MAX_VALUE / 2));
        assertTrue(big.tryConsume(Long.MAX_VALUE / 2, T0).admitted());
        assertEquals(Long.MAX_VALUE, big.tryConsume(Long.MAX_VALUE / 2, T0).retryAfterSeconds(), "saturates, never overflows");
        assertEquals(Long.MAX_VALUE, big.statuses(T0).get(0).resetSeconds());
        long wait = big.tryConsume(1, T0).retryAfterSeconds(); // ticks of 1 µs past 146 years: at most one more second
        assertTrue(wait == 200L * 365 * 86400 || wait == 200L * 365 * 86400 + 1, "200 years: " + wait);
    }

    @Test
    void sameLimitsLetsAnEntryCarryItsLimiterOver() {
        RateLimiter l = limiter(BURST, SUSTAINED);
        assertTrue(l.sameLimits(List.of(BURST, SUSTAINED)));
        assertTrue(l.sameLimits(List.of(new RateLimit("burst", 10, Duration.ofSeconds(1)), SUSTAINED)));
        assertFalse(l.sameLimits(List.of(SUSTAINED, BURST)));
        assertFalse(l.sameLimits(List.of(BURST)));
        assertFalse(l.sameLimits(List.of(new RateLimit("burst", 10, Duration.ofSeconds(1), 20), SUSTAINED)));
        assertTrue(RateLimiter.NONE.sameLimits(List.of()));
        assertTrue(RateLimiter.of(List.of()) == RateLimiter.NONE);
    }

    /** Random schedules against a reference model in exact rational arithmetic (BigInteger). */
    @Test
    void agreesWithAnExactReferenceModel() {
        List<RateLimit> pool = List.of(
                new RateLimit("a", 10, Duration.ofSeconds(1)),
                new RateLimit("b", 100, Duration.ofMinutes(1), 20),
                new RateLimit("c", 3, Duration.ofSeconds(1)),
                new RateLimit("d", 7, Duration.ofMillis(13), 50),
                new RateLimit("e", 1000, Duration.ofDays(1)),
                new RateLimit("f", 1_000_000_007L, Duration.ofNanos(999_999_937L)),
                new RateLimit("g", Long.MAX_VALUE, Duration.ofSeconds(3), 1000),
                new RateLimit("h", 5, Duration.ofDays(365L * 100), 1L << 40));
        SplittableRandom rnd = new SplittableRandom(42);
        for (int round = 0; round < 300; round++) {
            List<RateLimit> chosen = new ArrayList<>();
            for (RateLimit rl : pool) if (rnd.nextInt(4) == 0) chosen.add(rl);
            if (chosen.isEmpty()) chosen.add(pool.get(rnd.nextInt(pool.size())));
            RateLimiter l = limiter(chosen);
            Reference ref = new Reference(chosen);
            long now = T0 + rnd.nextLong(1L << 40);
            for (int step = 0; step < 200; step++) {
                switch (rnd.nextInt(6)) {
                    case 0 -> now += rnd.nextLong(1_000);
                    case 1 -> now += rnd.nextLong(2 * S);
                    case 2 -> now -= rnd.nextLong(S);
                    default -> { }
                }
                long max = l.maxCost();
                long cost = rnd.nextInt(3) == 0 ? 1 + rnd.nextLong(Math.min(max, 1L << 41)) : 1 + rnd.nextInt(3);
                LimitResult r = l.tryConsume(cost, now);
                boolean expected = ref.tryConsume(cost, now);
                String where = chosen + " round " + round + " step " + step + " cost " + cost;
                if (cost > max) {
                    assertTrue(r.exceedsCapacity(), where);
                    continue;
                }
                assertEquals(expected, r.admitted(), where);
                assertEquals(ref.statuses(r.admitted() ? 0 : cost), r.statuses(), where);
                if (!r.admitted()) assertEquals(ref.retryAfter(cost), r.retryAfterSeconds(), where);
            }
        }
    }

    /** Tokens as exact fractions: tokens * durationNanos, as a BigInteger per bandwidth. */
    public static final class Reference {
        final List<RateLimit> limits;
        final BigInteger[] scaled;
        long last = Long.MIN_VALUE;

        Reference(List<RateLimit> limits) {
            this.limits = limits;
            scaled = new BigInteger[limits.size()];
            for (int i = 0; i < scaled.length; i++) scaled[i] = cap(i);
        }

        BigInteger d(int i) {
            return BigInteger.valueOf(limits.get(i).duration().toNanos());
        }

        BigInteger cap(int i) {
            return BigInteger.valueOf(limits.get(i).capacity()).multiply(d(i));
        }

        boolean tryConsume(long cost, long now) {
            if (last != Long.MIN_VALUE && now > last) {
                BigInteger e = BigInteger.valueOf(now).subtract(BigInteger.valueOf(last));
                for (int i = 0; i < scaled.length; i++) {
                    scaled[i] = scaled[i].add(e.multiply(BigInteger.valueOf(limits.get(i).limit()))).min(cap(i));
                }
            }
            last = Math.max(last, now);
            for (int i = 0; i < scaled.length; i++) {
                if (scaled[i].compareTo(BigInteger.valueOf(cost).multiply(d(i))) < 0) return false;
            }
            for (int i = 0; i < scaled.length; i++) scaled[i] = scaled[i].subtract(BigInteger.valueOf(cost).multiply(d(i)));
            return true;
        }

        long secondsUntil(int i, BigInteger wantedScaled) {
            BigInteger lack = wantedScaled.subtract(scaled[i]);
            if (lack.signum() <= 0) return 0;
            BigInteger[] nanos = lack.divideAndRemainder(BigInteger.valueOf(limits.get(i).limit()));
            BigInteger n = nanos[1].signum() == 0 ? nanos[0] : nanos[0].add(BigInteger.ONE);
            BigInteger[] sec = n.divideAndRemainder(BigInteger.valueOf(S));
            return (sec[1].signum() == 0 ? sec[0] : sec[0].add(BigInteger.ONE)).min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
        }

        /** Statuses after an admission (cost 0), or for a denial of {@code cost}. */
        List<RateLimitStatus> statuses(long cost) {
            List<RateLimitStatus> out = new ArrayList<>();
            for (int i = 0; i < scaled.length; i++) {
                RateLimit rl = limits.get(i);
                BigInteger want = BigInteger.valueOf(cost).multiply(d(i));
                boolean lacks = cost > 0 && scaled[i].compareTo(want) < 0;
                long reset = lacks ? Math.max(1, secondsUntil(i, want)) : secondsUntil(i, cap(i));
                long window = Math.max(1, rl.duration().getSeconds() + (rl.duration().getNano() > 0 ? 1 : 0));
                out.add(new RateLimitStatus(rl.name(), rl.limit(), window, scaled[i].divide(d(i)).longValueExact(), reset));
            }
            return out;
        }

        long retryAfter(long cost) {
            long max = 1;
            for (int i = 0; i < scaled.length; i++) max = Math.max(max, secondsUntil(i, BigInteger.valueOf(cost).multiply(d(i))));
            return max;
        }
    }
}
