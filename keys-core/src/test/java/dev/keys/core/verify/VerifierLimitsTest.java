package dev.keys.core.verify;

import dev.keys.api.Outcome;
import dev.keys.api.Quota;
import dev.keys.api.QuotaPeriod;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.test.ManualClock;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.limit.Tiers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static org.junit.jupiter.api.Assertions.*;

/** Step 6 through the verifier: buckets, quotas, remaining uses, tiers, and what never consumes. */
class VerifierLimitsTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    final Keys keys = Keys.builder().clock(clock)
            .tiers(Tiers.builder().tier("free", List.of(new RateLimit("burst", 2, Duration.ofSeconds(1))), Optional.of(new Quota(3, QuotaPeriod.DAY))).build())
            .verifier(v -> v.syncInterval(Duration.ZERO)).build();

    @AfterEach
    void close() {
        keys.close();
    }

    Outcome verify(String key) {
        return keys.verifier().verify(key).outcome();
    }

    @Test
    void burstThenSustainedWithAReportForTheHeaders() {
        IssuedKey k = keys.manager().create(NewKey.builder("sk_test").ratelimits(
                new RateLimit("burst", 3, Duration.ofSeconds(1)), new RateLimit("sustained", 5, Duration.ofMinutes(1))).build(), SYSTEM);
        for (int i = 0; i < 3; i++) assertEquals(Outcome.VALID, verify(k.plaintext()));
        Verification denied = keys.verifier().verify(k.plaintext());
        assertEquals(Outcome.RATE_LIMITED, denied.outcome());
        Verification.Denied d = (Verification.Denied) denied;
        assertTrue(d.detail().contains("burst"), d.detail());
        assertTrue(d.rateLimits().retryAfterSeconds() >= 1);
        List<RateLimitStatus> st = d.rateLimits().statuses();
        assertEquals(List.of("burst", "sustained"), st.stream().map(RateLimitStatus::name).toList());
        assertEquals(0, st.get(0).remaining());
        assertEquals(1, st.get(0).windowSeconds());
        assertEquals(60, st.get(1).windowSeconds());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        assertEquals(Outcome.RATE_LIMITED, verify(k.plaintext()), "sustained: 5 per minute");
    }

    @Test
    void deniedRequestsNeverConsume() throws Exception {
        IssuedKey k = keys.manager().create(NewKey.builder("sk_test").permissions("a:read").remaining(2)
                .ratelimits(new RateLimit("burst", 2, Duration.ofSeconds(1))).build(), SYSTEM);
        Requirement needsWrite = Requirement.of(PermissionQuery.parse("a:write"));
        for (int i = 0; i < 50; i++) {
            assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, keys.verifier().verify(k.plaintext(), RequestContext.NONE, needsWrite).outcome());
            assertEquals(Outcome.MALFORMED, verify(k.plaintext() + "x"));
        }
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        assertEquals(Outcome.VALID, verify(k.plaintext()));
    }

    @Test
    void remainingUsesRunOutForGoodAndCanBeSetAgain() {
        IssuedKey k = keys.manager().create(NewKey.builder("sk_test").remaining(2).build(), SYSTEM);
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        Verification v = keys.verifier().verify(k.plaintext());
        assertEquals(Outcome.USAGE_EXCEEDED, v.outcome());
        assertEquals(0, ((Verification.Denied) v).rateLimits().retryAfterSeconds(), "waiting never brings uses back");
        clock.advance(Duration.ofDays(40));
        assertEquals(Outcome.USAGE_EXCEEDED, verify(k.plaintext()));
        keys.manager().update(k.key().id(), b -> b.remaining(OptionalLong.of(1)), SYSTEM);
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        assertEquals(Outcome.USAGE_EXCEEDED, verify(k.plaintext()));
    }

    @Test
    void tierDefaultsApplyUnlessTheKeyOverrides() {
        IssuedKey free = keys.manager().create(NewKey.builder("sk_test").tier("free").build(), SYSTEM);
        assertEquals(Outcome.VALID, verify(free.plaintext()));
        assertEquals(Outcome.VALID, verify(free.plaintext()));
        assertEquals(Outcome.RATE_LIMITED, verify(free.plaintext()));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Outcome.VALID, verify(free.plaintext()));
        clock.advance(Duration.ofSeconds(1));
        Verification q = keys.verifier().verify(free.plaintext());
        assertEquals(Outcome.USAGE_EXCEEDED, q.outcome(), "daily quota of 3");
        assertTrue(((Verification.Denied) q).rateLimits().retryAfterSeconds() > 3600);
        clock.advance(Duration.ofDays(1));
        assertEquals(Outcome.VALID, verify(free.plaintext()));

        IssuedKey own = keys.manager().create(NewKey.builder("sk_test").tier("free")
                .ratelimits(new RateLimit("burst", 100, Duration.ofSeconds(1))).quota(new Quota(1000, QuotaPeriod.DAY)).build(), SYSTEM);
        for (int i = 0; i < 50; i++) assertEquals(Outcome.VALID, verify(own.plaintext()));
    }

    @Test
    void bucketStateSurvivesAChangeThatLeavesTheLimitsAlone() {
        IssuedKey k = keys.manager().create(NewKey.builder("sk_test").ratelimits(new RateLimit("burst", 2, Duration.ofMinutes(1))).build(), SYSTEM);
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        keys.manager().update(k.key().id(), b -> b.name("renamed"), SYSTEM);
        assertEquals(Outcome.RATE_LIMITED, verify(k.plaintext()), "a rename must not refill the bucket");
        keys.manager().update(k.key().id(), b -> b.ratelimits(List.of(new RateLimit("burst", 5, Duration.ofMinutes(1)))), SYSTEM);
        assertEquals(Outcome.VALID, verify(k.plaintext()), "new limits, new bucket");
    }

    @Test
    void aCostAboveCapacityIsA429NeverAnError() {
        IssuedKey k = keys.manager().create(NewKey.builder("sk_test").ratelimits(new RateLimit("burst", 10, Duration.ofSeconds(1))).build(), SYSTEM);
        Verification v = keys.verifier().verify(k.plaintext(), RequestContext.of("POST", "/bulk").withCost(11));
        assertEquals(Outcome.RATE_LIMITED, v.outcome());
        assertTrue(((Verification.Denied) v).detail().contains("capacity"));
        assertEquals(Outcome.VALID, keys.verifier().verify(k.plaintext(), RequestContext.of("POST", "/bulk").withCost(10)).outcome());
    }

    @Test
    void validResultsOfLimitedKeysCarryTheirState() {
        IssuedKey k = keys.manager().create(NewKey.builder("sk_test").ratelimits(new RateLimit("burst", 10, Duration.ofSeconds(1))).build(), SYSTEM);
        Verification.Valid v = (Verification.Valid) keys.verifier().verify(k.plaintext());
        assertEquals(9, v.rateLimits().statuses().get(0).remaining());
        IssuedKey unlimited = keys.manager().create(NewKey.builder("sk_test").build(), SYSTEM);
        assertEquals(List.of(), ((Verification.Valid) keys.verifier().verify(unlimited.plaintext())).rateLimits().statuses());
    }
}
