package dev.keys.core.limit;

import dev.keys.core.store.InMemoryUsageCounters;

import dev.keys.api.ApiKey;
import dev.keys.api.Clock;
import dev.keys.api.Digest;
import dev.keys.api.Outcome;
import dev.keys.api.Quota;
import dev.keys.api.QuotaPeriod;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitStatus;
import dev.keys.api.Refill;
import dev.keys.api.UsageCounters;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuotaEnforcerTest {
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final long S = 1_000_000_000L;

    static long nanos(ZoneId z, String local) {
        return Clock.toNanos(ZonedDateTime.of(LocalDateTime.parse(local), z).toInstant());
    }

    static ApiKey.Builder key() {
        Instant created = Instant.parse("2025-01-01T10:00:00Z");
        return ApiKey.builder().id("key1").prefix("sk_test").start("abcd").digest(Digest.of(new byte[32]))
                .createdAt(created).updatedAt(created);
    }

    static int admit(QuotaEnforcer q, ApiKey k, long now, int attempts) {
        int n = 0;
        for (int i = 0; i < attempts; i++) if (q.check(k, 1, now).admitted()) n++;
        return n;
    }

    @Test
    void dailyQuotaRollsOverAtMidnightInTheZone() {
        QuotaEnforcer q = QuotaEnforcer.builder(new InMemoryUsageCounters()).zone(BERLIN).build();
        ApiKey k = key().quota(Optional.of(new Quota(3, QuotaPeriod.DAY))).build();
        long evening = nanos(BERLIN, "2025-06-10T23:59:58");
        assertEquals(3, admit(q, k, evening, 10));
        QuotaResult denied = q.check(k, 1, evening);
        assertEquals(Outcome.USAGE_EXCEEDED, denied.outcome());
        assertEquals("daily quota of 3 used", denied.detail());
        assertEquals(2, denied.retryAfterSeconds());
        assertEquals(Optional.of(new RateLimitStatus("quota", 3, 86400, 0, 2)), denied.quota());
        assertEquals(0, admit(q, k, nanos(BERLIN, "2025-06-10T23:59:59.999999999"), 10));
        assertEquals(3, admit(q, k, nanos(BERLIN, "2025-06-11T00:00"), 10));
        assertEquals(OptionalLong.of(0), q.quotaRemaining(k, nanos(BERLIN, "2025-06-11T12:00")));
        assertEquals(OptionalLong.of(3), q.quotaRemaining(k, nanos(BERLIN, "2025-06-12T00:00")));
    }

    @Test
    void quotaAcrossTheAutumnDstChangeInNewYork() {
        ZoneId ny = ZoneId.of("America/New_York");
        QuotaEnforcer q = QuotaEnforcer.builder(new InMemoryUsageCounters()).zone(ny).build();
        ApiKey k = key().quota(Optional.of(new Quota(2, QuotaPeriod.DAY))).build();
        long early = nanos(ny, "2025-11-02T00:30");  // the day of the change lasts 25 hours
        assertEquals(2, admit(q, k, early, 5));
        QuotaResult r = q.check(k, 1, early);
        assertEquals(24 * 3600 + 30 * 60, r.retryAfterSeconds());
        assertEquals(90000, r.quota().orElseThrow().windowSeconds());
        assertEquals(0, admit(q, k, nanos(ny, "2025-11-02T23:59:59"), 5));
        assertEquals(2, admit(q, k, nanos(ny, "2025-11-03T00:00"), 5));
    }

    @Test
    void monthlyQuotaWithAnchor31InFebruary() {
        QuotaEnforcer q = QuotaEnforcer.builder(new InMemoryUsageCounters()).zone(BERLIN).monthAnchorDay(31).build();
        ApiKey k = key().quota(Optional.of(new Quota(1, QuotaPeriod.MONTH))).build();
        assertEquals(1, admit(q, k, nanos(BERLIN, "2025-02-27T12:00"), 3));
        QuotaResult r = q.check(k, 1, nanos(BERLIN, "2025-02-27T12:00"));
        assertEquals("monthly quota of 1 used", r.detail());
        assertEquals(12 * 3600, r.retryAfterSeconds());
        assertEquals(1, admit(q, k, nanos(BERLIN, "2025-02-28T00:00"), 3));
        assertEquals(0, admit(q, k, nanos(BERLIN, "2025-03-30T23:59"), 3));
        assertEquals(1, admit(q, k, nanos(BERLIN, "2025-03-31T00:00"), 3));
    }

    @Test
    void weeklyQuotaStartsOnTheConfiguredDay() {
        QuotaEnforcer q = QuotaEnforcer.builder(new InMemoryUsageCounters()).zone(BERLIN).firstDayOfWeek(java.time.DayOfWeek.SUNDAY).build();
        ApiKey k = key().quota(Optional.of(new Quota(1, QuotaPeriod.WEEK))).build();
        assertEquals(1, admit(q, k, nanos(BERLIN, "2025-06-14T23:59"), 3)); // Saturday
        assertEquals("weekly quota of 1 used", q.check(k, 1, nanos(BERLIN, "2025-06-14T23:59")).detail());
        assertEquals(1, admit(q, k, nanos(BERLIN, "2025-06-15T00:00"), 3)); // Sunday
    }

    @Test
    void remainingUsesWithoutRefillNeverComeBack() {
        InMemoryUsageCounters counters = new InMemoryUsageCounters();
        QuotaEnforcer q = QuotaEnforcer.builder(counters).build();
        ApiKey k = key().remaining(OptionalLong.of(3)).build();
        long now = nanos(BERLIN, "2025-06-10T12:00");
        assertEquals(OptionalLong.of(3), q.remaining(k, now));
        QuotaResult first = q.check(k, 2, now);
        assertTrue(first.admitted());
        assertEquals(OptionalLong.of(1), first.remainingUses());
        assertFalse(q.check(k, 2, now).admitted());
        assertEquals(1, admit(q, k, now, 5));
        QuotaResult denied = q.check(k, 1, now + 365L * 86400 * S);
        assertEquals("no remaining uses", denied.detail());
        assertEquals(0, denied.retryAfterSeconds(), "waiting never helps");
        assertEquals(OptionalLong.of(0), denied.remainingUses());
        assertEquals(3, counters.get("key1", QuotaEnforcer.USES, 0));
        counters.set("key1", QuotaEnforcer.USES, 0, 0); // an admin sets remaining anew
        assertEquals(3, admit(q, k.toBuilder().remaining(OptionalLong.of(3)).build(), now, 5));
    }

    @Test
    void remainingUsesRefillEveryIntervalFromCreation() {
        QuotaEnforcer q = QuotaEnforcer.builder(new InMemoryUsageCounters()).build();
        ApiKey k = key().remaining(OptionalLong.of(2)).refill(Optional.of(new Refill(2, Duration.ofDays(1)))).build();
        long created = Clock.toNanos(k.createdAt());
        assertEquals(2, admit(q, k, created + 3600 * S, 5));
        QuotaResult r = q.check(k, 1, created + 3600 * S);
        assertEquals("no remaining uses until the next refill", r.detail());
        assertEquals(23 * 3600, r.retryAfterSeconds());
        assertEquals(0, admit(q, k, created + 86400 * S - 1, 5));
        assertEquals(2, admit(q, k, created + 86400 * S, 5), "intervals align to createdAt (10:00 UTC), not midnight");
        assertEquals(OptionalLong.of(2), q.remaining(k, created + 2 * 86400 * S));
        assertEquals(OptionalLong.of(0), q.remaining(k, created - 5 * S), "a reading before creation counts in the first interval");
    }

    @Test
    void aRefusedUseTakesNoQuota() {
        InMemoryUsageCounters counters = new InMemoryUsageCounters();
        QuotaEnforcer q = QuotaEnforcer.builder(counters).build();
        ApiKey k = key().quota(Optional.of(new Quota(10, QuotaPeriod.DAY))).remaining(OptionalLong.of(2)).build();
        long now = nanos(ZoneId.of("UTC"), "2025-06-10T12:00");
        assertEquals(2, admit(q, k, now, 5));
        assertEquals(OptionalLong.of(8), q.quotaRemaining(k, now), "only admitted requests are counted");
        QuotaResult r = q.check(k, 1, now);
        assertEquals("no remaining uses", r.detail());
        assertEquals(8, r.quota().orElseThrow().remaining());
    }

    /** Counts the calls that reach the counters, as a database would count round trips. */
    static final class CountingCounters implements UsageCounters {
        final InMemoryUsageCounters delegate = new InMemoryUsageCounters();
        int calls;

        @Override
        public Result tryAddAll(String keyId, List<Increment> increments) {
            calls++;
            return delegate.tryAddAll(keyId, increments);
        }

        @Override
        public long get(String keyId, String counter, long window) {
            calls++;
            return delegate.get(keyId, counter, window);
        }

        @Override
        public void set(String keyId, String counter, long window, long value) {
            calls++;
            delegate.set(keyId, counter, window, value);
        }
    }

    @Test
    void anAdmittedOrDeniedRequestCostsOneCallToTheCounters() {
        CountingCounters counters = new CountingCounters();
        QuotaEnforcer q = QuotaEnforcer.builder(counters).build();
        ApiKey k = key().quota(Optional.of(new Quota(3, QuotaPeriod.DAY))).remaining(OptionalLong.of(2)).build();
        long now = nanos(ZoneId.of("UTC"), "2025-06-10T12:00");
        List<String> details = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int before = counters.calls;
            details.add(q.check(k, 1, now).detail());
            assertEquals(before + 1, counters.calls, "request " + i);
        }
        assertEquals(List.of("", "", "no remaining uses"), details);
        int before = counters.calls;
        QuotaResult quotaDenied = q.check(k.toBuilder().remaining(OptionalLong.of(10)).build(), 2, now);
        assertEquals("daily quota of 3 used", quotaDenied.detail());
        assertEquals(OptionalLong.of(8), quotaDenied.remainingUses());
        assertEquals(Optional.of(new RateLimitStatus("quota", 3, 86400, 1, 43200)), quotaDenied.quota());
        assertEquals(before + 1, counters.calls, "a quota denial too");
        before = counters.calls;
        assertEquals("cost 4 exceeds the daily quota of 3", q.check(k, 4, now).detail());
        assertEquals(before + 1, counters.calls, "and a cost past the quota");
    }

    @Test
    void tierQuotaAppliesUnlessTheKeyHasItsOwn() {
        Tiers tiers = Tiers.builder().tier("free", List.of(new RateLimit("burst", 5, Duration.ofSeconds(1))), Optional.of(new Quota(1, QuotaPeriod.DAY))).build();
        QuotaEnforcer q = QuotaEnforcer.builder(new InMemoryUsageCounters()).tiers(tiers).build();
        long now = nanos(ZoneId.of("UTC"), "2025-06-10T12:00");
        assertEquals(1, admit(q, key().tier(Optional.of("free")).build(), now, 5));
        assertEquals(3, admit(q, key().id("key2").tier(Optional.of("free")).quota(Optional.of(new Quota(3, QuotaPeriod.DAY))).build(), now, 5));
        assertSame(QuotaResult.UNLIMITED, q.check(key().id("key3").build(), 1, now));
    }

    @Test
    void costValidation() {
        QuotaEnforcer q = QuotaEnforcer.builder(new InMemoryUsageCounters()).build();
        ApiKey k = key().quota(Optional.of(new Quota(10, QuotaPeriod.DAY))).build();
        assertThrows(IllegalArgumentException.class, () -> q.check(k, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> q.check(k, -3, 0));
        QuotaResult r = q.check(k, 11, 0);
        assertEquals("cost 11 exceeds the daily quota of 10", r.detail());
        assertEquals(86400, r.retryAfterSeconds());
        assertEquals(3, admit(q, k, 0, 3), "nothing was taken");
    }
}
