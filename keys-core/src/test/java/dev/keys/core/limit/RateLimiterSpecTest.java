package dev.keys.core.limit;

import dev.keys.api.RateLimit;
import dev.keys.core.specs.RateLimiterSpec;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.keys.core.specs.RateLimiterSpec.BURST;
import static dev.keys.core.specs.RateLimiterSpec.SUSTAINED;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The behavioural spec against both in-process state forms, and which form a configuration gets. */
class RateLimiterSpecTest {

    @Nested
    class AutoForm extends RateLimiterSpec {
        @Override
        protected RateLimiter limiter(List<RateLimit> limits) {
            return RateLimiter.of(limits, RateLimiter.Form.AUTO);
        }
    }

    @Nested
    class ExactForm extends RateLimiterSpec {
        @Override
        protected RateLimiter limiter(List<RateLimit> limits) {
            return RateLimiter.of(limits, RateLimiter.Form.EXACT);
        }
    }

    @Test
    void wholeNanosecondIntervalsUseTheAllocationFreeForm() {
        assertTrue(RateLimiter.of(List.of(BURST)) instanceof GcraLimiter);
        assertTrue(RateLimiter.of(List.of(new RateLimit("d", 1000, Duration.ofDays(1)))) instanceof GcraLimiter);
        assertTrue(RateLimiter.of(List.of(BURST, SUSTAINED)) instanceof GcraMultiLimiter);
        assertTrue(RateLimiter.of(List.of(BURST, SUSTAINED, new RateLimit("day", 1000, Duration.ofDays(1)))) instanceof GcraMultiLimiter);
        assertTrue(RateLimiter.of(List.of(new RateLimit("c", 3, Duration.ofSeconds(1)))) instanceof ExactLimiter);
        assertTrue(RateLimiter.of(List.of(BURST, SUSTAINED), RateLimiter.Form.EXACT) instanceof ExactLimiter);
        assertTrue(RateLimiter.of(List.of(new RateLimit("h", 1, Duration.ofDays(365L * 1000)))) instanceof ExactLimiter);
    }
}
