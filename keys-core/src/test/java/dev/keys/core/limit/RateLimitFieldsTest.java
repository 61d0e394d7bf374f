package dev.keys.core.limit;

import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RateLimit fields a limiter's result writes from its state are, byte for byte, what the servlet filter wrote
 * from the statuses before (the reference below is that code, kept as it was), for every shape of limits.
 */
class RateLimitFieldsTest {
    /** A million keys of one tier hold one policy string between them, not one each (CacheMemory in keys-jmh). */
    @Test
    void limitersOfTheSameLimitsShareOnePolicyString() {
        List<RateLimit> limits = List.of(new RateLimit("burst", 10, Duration.ofSeconds(1)), new RateLimit("day", 1000, Duration.ofDays(1)));
        RateLimiter a = RateLimiter.of(limits);
        RateLimiter b = RateLimiter.of(new java.util.ArrayList<>(limits));
        assertSame(a.policyField, b.policyField);
        assertEquals("\"burst\";q=10;w=1, \"day\";q=1000;w=86400", a.policyField);
        assertEquals("", RateLimiter.NONE.policyField);
    }

    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final RateLimit BURST = new RateLimit("burst", 5, Duration.ofSeconds(1));
    private static final RateLimit SUSTAINED = new RateLimit("sustained", 100, Duration.ofMinutes(1));
    private static final RateLimit DAY = new RateLimit("day", 1000, Duration.ofDays(1));
    private static final RateLimit THIRDS = new RateLimit("thirds", 3, Duration.ofSeconds(1)); // the exact form

    @Test
    void oneBandwidth() {
        RateLimiter l = RateLimiter.of(List.of(BURST));
        assertTrue(l instanceof GcraLimiter);
        LimitResult r = l.tryConsume(2, T0);
        assertSameFields(r);
        assertEquals("\"burst\";q=5;w=1", r.policyField());
        assertEquals("\"burst\";r=3;t=1", r.stateField());
        assertSameFields(l.tryConsume(1, T0 + 150_000_000L));
    }

    @Test
    void twoAndThreeBandwidths() {
        LimitResult two = RateLimiter.of(List.of(BURST, SUSTAINED)).tryConsume(1, T0);
        assertSameFields(two);
        assertEquals("\"burst\";q=5;w=1, \"sustained\";q=100;w=60", two.policyField());
        assertEquals("\"burst\";r=4;t=1, \"sustained\";r=99;t=1", two.stateField());
        RateLimiter three = RateLimiter.of(List.of(BURST, SUSTAINED, DAY));
        assertSameFields(three.tryConsume(3, T0));
        assertSameFields(three.tryConsume(1, T0 + 2_500_000_000L));
    }

    @Test
    void exactForm() {
        RateLimiter l = RateLimiter.of(List.of(THIRDS, SUSTAINED));
        assertTrue(l instanceof ExactLimiter);
        assertSameFields(l.tryConsume(1, T0));
        assertSameFields(l.tryConsume(2, T0 + 10));
    }

    @Test
    void denials() {
        RateLimiter one = RateLimiter.of(List.of(BURST));
        one.tryConsume(5, T0);
        LimitResult denied = one.tryConsume(1, T0 + 1);
        assertFalse(denied.admitted());
        assertSameFields(denied);
        RateLimiter two = RateLimiter.of(List.of(BURST, SUSTAINED));
        two.tryConsume(5, T0);
        assertSameFields(two.tryConsume(2, T0 + 1));
        LimitResult overCapacity = two.tryConsume(50, T0 + 2);
        assertTrue(overCapacity.exceedsCapacity());
        assertSameFields(overCapacity);
    }

    @Test
    void noLimits() {
        assertEquals("", LimitResult.UNLIMITED.policyField());
        assertEquals("", LimitResult.UNLIMITED.stateField());
        assertEquals("", RateLimiter.NONE.tryConsume(1, T0).policyField());
        assertEquals("", LimitResult.policyField(List.of()));
    }

    /** A quota-only key's report, and names and values only statuses from elsewhere can hold. */
    @Test
    void statusesOfOtherReports() {
        List<RateLimitStatus> quota = List.of(new RateLimitStatus("quota", 1000, 86_400, 998, 3_600));
        assertEquals(reference(quota)[0], LimitResult.policyField(quota));
        assertEquals(reference(quota)[1], LimitResult.stateField(quota));
        List<RateLimitStatus> odd = List.of(new RateLimitStatus("a\"b\\c\u00e9\n", Long.MAX_VALUE, 0, -3, 1_000_000_000_000_000L),
                new RateLimitStatus("quota", 10, 2_592_000, 0, 12));
        assertEquals(reference(odd)[0], LimitResult.policyField(odd));
        assertEquals(reference(odd)[1], LimitResult.stateField(odd));
        assertEquals("\"a\\\"b\\\\c??\";q=999999999999999;w=1, \"quota\";q=10;w=2592000", LimitResult.policyField(odd));
    }

    private static void assertSameFields(LimitResult r) {
        String[] expected = reference(r.statuses());
        assertEquals(expected[0], r.policyField());
        assertEquals(expected[1], r.stateField());
    }

    /** The filter's former {@code Problem.rateLimitFields}, unchanged: {RateLimit-Policy, RateLimit}. */
    private static String[] reference(List<RateLimitStatus> statuses) {
        StringBuilder policy = new StringBuilder(32 * statuses.size());
        StringBuilder state = new StringBuilder(32 * statuses.size());
        for (RateLimitStatus s : statuses) {
            if (policy.length() > 0) {
                policy.append(", ");
                state.append(", ");
            }
            quoted(policy, s.name());
            policy.append(";q=").append(sfInteger(s.limit())).append(";w=").append(sfInteger(Math.max(1, s.windowSeconds())));
            quoted(state, s.name());
            state.append(";r=").append(sfInteger(s.remaining())).append(";t=").append(sfInteger(s.resetSeconds()));
        }
        return new String[] {policy.toString(), state.toString()};
    }

    private static void quoted(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\');
            sb.append(c < 0x20 || c > 0x7e ? '?' : c);
        }
        sb.append('"');
    }

    private static long sfInteger(long v) {
        return Math.max(0, Math.min(v, 999_999_999_999_999L));
    }
}
