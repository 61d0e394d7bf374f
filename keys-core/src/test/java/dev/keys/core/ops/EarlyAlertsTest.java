package dev.keys.core.ops;

import dev.keys.api.Quota;
import dev.keys.api.QuotaPeriod;
import dev.keys.api.Refill;
import dev.keys.api.UsageEvent;
import dev.keys.api.UsageSink;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.core.store.InMemoryLease;
import dev.keys.core.store.InMemoryUsageCounters;
import dev.keys.test.ManualClock;
import dev.keys.test.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The early alerts (remaining uses below a threshold, a quota period past a share, a key expiring within a window)
 * through a real {@code Keys}, its verifier and manager, on a manual clock and scheduler: nothing waits for time.
 */
class EarlyAlertsTest {
    static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    final ManualClock clock = new ManualClock(T0);
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final InMemoryKeyStore store = new InMemoryKeyStore();
    final InMemoryUsageCounters counters = new InMemoryUsageCounters();
    final List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) c.close();
    }

    /** One instance: its alerting sink is the verifier's usage sink, so the manager tells it of writes too. */
    Keys instance(AlertingUsageSink.Builder sink) {
        AlertingUsageSink s = sink.clock(clock).listener(alerts::add).keys(store).build();
        Keys k = Keys.builder().store(store).usageCounters(counters).clock(clock).scheduler(scheduler)
                .verifier(v -> v.syncInterval(Duration.ZERO).usageSink(s)).build();
        closing.add(0, k);
        closing.add(0, s);
        return k;
    }

    void verify(Keys k, IssuedKey key, int times) {
        for (int i = 0; i < times; i++) {
            Verification v = k.verifier().verify(key.plaintext());
            assertTrue(v.isValid(), v.toString());
        }
        scheduler.runDue();
    }

    @Test
    void remainingUsesBelowAThresholdAlertOnceOnTheRequestThatCrossesIt() {
        Keys k = instance(AlertingUsageSink.builder(UsageSink.NONE).rule(AlertRule.remainingBelow(3)));
        IssuedKey key = k.manager().create(NewKey.builder("sk_live").ownerId("owner-1").tenant("acme").remaining(10).build(), KeyManager.SYSTEM);
        verify(k, key, 7);
        assertEquals(List.of(), alerts, "3 left: not below 3");
        verify(k, key, 1);
        assertEquals(1, alerts.size(), alerts.toString());
        Alert a = alerts.get(0);
        assertEquals("remaining-below", a.rule());
        assertEquals("remaining-below", a.kind());
        assertEquals(Optional.of(key.key().id()), a.keyId());
        assertEquals(Optional.of("acme"), a.tenant());
        assertEquals(Optional.of("owner-1"), a.ownerId());
        assertEquals(3, a.threshold());
        assertEquals(2, a.value());
        verify(k, key, 2);
        assertEquals(1, alerts.size(), "once: later requests do not cross it again");
        assertFalse(alerts.toString().contains(key.plaintext()));
    }

    @Test
    void aShareOfTheRefillAmountAlertsOncePerRefillInterval() {
        Keys k = instance(AlertingUsageSink.builder(UsageSink.NONE).rule(AlertRule.remainingBelowShare(0.2)));
        IssuedKey key = k.manager().create(NewKey.builder("sk_live").ownerId("o").remaining(10)
                .refill(new Refill(10, Duration.ofHours(1))).build(), KeyManager.SYSTEM);
        verify(k, key, 8);
        assertEquals(List.of(), alerts);
        verify(k, key, 1);
        assertEquals(1, alerts.size(), "1 left, fewer than 20% of 10");
        assertEquals(2, alerts.get(0).threshold());
        assertEquals(T0, alerts.get(0).windowStart());
        assertEquals(T0.plus(Duration.ofHours(1)), alerts.get(0).windowEnd());
        clock.advance(Duration.ofHours(1));
        verify(k, key, 9);
        assertEquals(2, alerts.size(), "the next interval alerts anew");
    }

    @Test
    void aQuotaPeriodPastAShareAlertsOncePerPeriod() {
        Keys k = instance(AlertingUsageSink.builder(UsageSink.NONE).rule(AlertRule.quotaUsed(0.8)));
        IssuedKey key = k.manager().create(NewKey.builder("sk_live").ownerId("o").quota(new Quota(10, QuotaPeriod.DAY)).build(), KeyManager.SYSTEM);
        verify(k, key, 7);
        assertEquals(List.of(), alerts);
        verify(k, key, 1);
        assertEquals(1, alerts.size());
        Alert a = alerts.get(0);
        assertEquals("quota-used", a.kind());
        assertEquals(8, a.threshold());
        assertEquals(8, a.value());
        assertEquals(Instant.parse("2026-05-01T00:00:00Z"), a.windowStart());
        assertEquals(Instant.parse("2026-05-02T00:00:00Z"), a.windowEnd());
        verify(k, key, 2);
        assertEquals(1, alerts.size(), "once a period");
        clock.advance(Duration.ofDays(1));
        verify(k, key, 8);
        assertEquals(2, alerts.size(), "the next day alerts anew");
    }

    @Test
    void aKeyEnteringTheWindowByTimeAlertsAtTheNextCheckOnce() {
        Keys k = instance(AlertingUsageSink.builder(UsageSink.NONE).rule(AlertRule.expiringWithin(Duration.ofDays(7)))
                .checkInterval(Duration.ofHours(1)));
        IssuedKey key = k.manager().create(NewKey.builder("sk_live").ownerId("o").tenant("acme")
                .expiresAt(T0.plus(Duration.ofDays(30))).build(), KeyManager.SYSTEM);
        scheduler.runDue();
        assertEquals(List.of(), alerts, "30 days away");
        scheduler.advance(Duration.ofDays(23).minusHours(1));
        assertEquals(List.of(), alerts, "still more than 7 days");
        scheduler.advance(Duration.ofHours(1));
        assertEquals(1, alerts.size(), alerts.toString());
        Alert a = alerts.get(0);
        assertEquals("expiring", a.kind());
        assertEquals(Optional.of("o"), a.ownerId());
        assertEquals(Duration.ofDays(7).toSeconds(), a.threshold());
        assertEquals(Duration.ofDays(7).toSeconds(), a.value());
        assertEquals(T0.plus(Duration.ofDays(30)), a.windowEnd());
        scheduler.advance(Duration.ofDays(6));
        assertEquals(1, alerts.size(), "once per key and expiry");
        assertFalse(alerts.toString().contains(key.plaintext()));
    }

    @Test
    void aKeyCreatedOrChangedToExpireWithinTheWindowAlertsAtOnce() {
        Keys k = instance(AlertingUsageSink.builder(UsageSink.NONE).rule(AlertRule.expiringWithin(Duration.ofDays(7)))
                .checkInterval(Duration.ofHours(1)));
        IssuedKey key = k.manager().create(NewKey.builder("sk_live").ownerId("o").expiresAt(T0.plus(Duration.ofDays(3))).build(), KeyManager.SYSTEM);
        scheduler.runDue();
        assertEquals(1, alerts.size(), "at creation, not an hour later");
        assertEquals(Duration.ofDays(3).toSeconds(), alerts.get(0).value());
        scheduler.advance(Duration.ofHours(5));
        k.manager().update(key.key().id(), b -> b.name("renamed"), KeyManager.SYSTEM);
        scheduler.runDue();
        assertEquals(1, alerts.size(), "the same expiry: no second alert, neither from the checks nor from the change");
        k.manager().update(key.key().id(), b -> b.expiresAt(Optional.of(T0.plus(Duration.ofDays(5)))), KeyManager.SYSTEM);
        scheduler.runDue();
        assertEquals(2, alerts.size(), "a new expiry inside the window alerts anew");
        IssuedKey far = k.manager().create(NewKey.builder("sk_live").ownerId("o").expiresAt(T0.plus(Duration.ofDays(60))).build(), KeyManager.SYSTEM);
        scheduler.runDue();
        assertEquals(2, alerts.size(), "outside the window: " + far.key().id());
    }

    /**
     * A sink wrapped in another (here a usage sink that counts, then passes on) is out of Keys' sight: started on
     * its scheduler and wired with {@code onKeyWritten}, it alerts at creation all the same; a listener that throws stops neither the write nor
     * the listeners after it.
     */
    @Test
    void aWrappedSinkHearsOfWritesThroughOnKeyWritten() {
        AlertingUsageSink s = AlertingUsageSink.builder(UsageSink.NONE).rule(AlertRule.expiringWithin(Duration.ofDays(7)))
                .checkInterval(Duration.ofHours(1)).clock(clock).listener(alerts::add).keys(store).build();
        List<UsageEvent> counted = new ArrayList<>();
        UsageSink wrapper = e -> {
            counted.add(e);
            s.record(e);
        };
        List<String> told = new ArrayList<>();
        Keys k = Keys.builder().store(store).usageCounters(counters).clock(clock).scheduler(scheduler)
                .verifier(v -> v.syncInterval(Duration.ZERO).usageSink(wrapper))
                .onKeyWritten(key -> { throw new IllegalStateException("a broken listener"); })
                .onKeyWritten(s::keyWritten)
                .onKeyWritten(key -> told.add(key.id()))
                .build();
        s.start(k.scheduler()); // out of Keys' sight, so started by hand, as the Keys documentation says
        closing.add(0, k);
        closing.add(0, s);
        IssuedKey key = k.manager().create(NewKey.builder("sk_live").ownerId("o").expiresAt(T0.plus(Duration.ofDays(3))).build(), KeyManager.SYSTEM);
        scheduler.runDue();
        assertEquals(1, alerts.size(), "at creation, through the listener");
        assertEquals(List.of(key.key().id()), told, "the listener after the broken one was told");
        assertTrue(k.verifier().verify(key.plaintext()).isValid(), "the write held and the verifier knows the key");
        assertEquals(1, counted.size());
    }

    @Test
    void twoInstancesOnOneLeaseSendEachAlertOnce() {
        InMemoryLease lease = new InMemoryLease(clock);
        Keys a = instance(AlertingUsageSink.builder(UsageSink.NONE).rule(AlertRule.expiringWithin(Duration.ofDays(7)))
                .rule(AlertRule.quotaUsed(0.5)).lease(lease).checkInterval(Duration.ofHours(1)));
        Keys b = instance(AlertingUsageSink.builder(UsageSink.NONE).rule(AlertRule.expiringWithin(Duration.ofDays(7)))
                .rule(AlertRule.quotaUsed(0.5)).lease(lease).checkInterval(Duration.ofHours(1)));
        IssuedKey soon = a.manager().create(NewKey.builder("sk_live").ownerId("o").expiresAt(T0.plus(Duration.ofDays(2))).build(), KeyManager.SYSTEM);
        IssuedKey later = a.manager().create(NewKey.builder("sk_live").ownerId("o").expiresAt(T0.plus(Duration.ofDays(10)))
                .quota(new Quota(10, QuotaPeriod.DAY)).build(), KeyManager.SYSTEM);
        scheduler.runDue();
        assertEquals(1, alerts.size(), "the creating instance claimed and sent it");
        scheduler.advance(Duration.ofDays(4));
        assertEquals(2, alerts.size(), "both check every hour; the key that entered the window alerts once: " + alerts);
        assertEquals(Optional.of(later.key().id()), alerts.get(1).keyId());
        for (int i = 0; i < 10; i++) assertTrue((i % 2 == 0 ? a : b).verifier().verify(later.plaintext()).isValid());
        scheduler.runDue();
        assertEquals(3, alerts.size(), "the quota crossed on one request of one instance: " + alerts);
        assertEquals("quota-used", alerts.get(2).kind());
        assertEquals(Optional.of(soon.key().id()), alerts.get(0).keyId());
    }
}
