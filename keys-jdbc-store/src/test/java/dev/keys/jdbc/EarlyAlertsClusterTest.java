package dev.keys.jdbc;

import dev.keys.api.Quota;
import dev.keys.api.QuotaPeriod;
import dev.keys.core.Keys;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.ops.Alert;
import dev.keys.core.ops.AlertRule;
import dev.keys.core.ops.AlertingUsageSink;
import dev.keys.test.ManualClock;
import dev.keys.test.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The early alerts on two service instances sharing one PostgreSQL (docs/operations.md, "Early alerts"): keys used
 * on both at once cross their quota and remaining-use thresholds on exactly one request of the two, and a key
 * expiring within the window is announced by one instance, whichever wrote it and whichever runs the checks.
 */
class EarlyAlertsClusterTest extends TwoInstancesOnPostgres {
    final ManualClock clock = new ManualClock(Instant.parse("2026-06-01T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);

    record Instance(Keys keys, AlertingUsageSink alerts, List<Alert> sent) {
    }

    /** One service instance: its own pool and stores, the lease and counters in the shared database. */
    Instance instance() {
        JdbcStores stores = JdbcStores.builder(db.pool(4)).clock(clock).queryTimeout(Duration.ofSeconds(5)).build();
        List<Alert> sent = Collections.synchronizedList(new ArrayList<>());
        AlertingUsageSink alerts = AlertingUsageSink.builder(stores.usageLog()).clock(clock)
                .rule(AlertRule.quotaUsed(0.8))
                .rule(AlertRule.remainingBelow(10))
                .rule(AlertRule.expiringWithin(Duration.ofDays(7)))
                .keys(stores.keyStore()).lease(stores.lease()).checkInterval(Duration.ZERO)
                .listener(sent::add).build();
        Keys keys = Keys.builder().store(stores.keyStore()).clock(clock).scheduler(scheduler).usageCounters(stores.usageCounters())
                .verifier(v -> v.syncInterval(Duration.ZERO).usageSink(alerts)).build();
        closing.add(stores);
        closing.add(alerts);
        closing.add(keys);
        return new Instance(keys, alerts, sent);
    }

    static List<Alert> of(String kind, List<Alert> a, List<Alert> b) {
        List<Alert> all = new ArrayList<>(a);
        all.addAll(b);
        return all.stream().filter(x -> x.kind().equals(kind)).toList();
    }

    @Test
    void thresholdsCrossedWhileBothInstancesServeTheKeyAlertOnce() throws Exception {
        Instance a = instance(), b = instance();
        IssuedKey quota = a.keys().manager().create(NewKey.builder("sk_live").ownerId("o-q").quota(new Quota(100, QuotaPeriod.DAY)).build(), KeyManager.SYSTEM);
        IssuedKey credits = a.keys().manager().create(NewKey.builder("sk_live").ownerId("o-r").remaining(100).build(), KeyManager.SYSTEM);
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> work = new ArrayList<>();
            for (Instance i : List.of(a, b)) {
                work.add(pool.submit(() -> {
                    start.await();
                    int admitted = 0;
                    for (int n = 0; n < 60; n++) {
                        if (i.keys().verifier().verify(quota.plaintext()).isValid()) admitted++;
                        if (i.keys().verifier().verify(credits.plaintext()).isValid()) admitted++;
                    }
                    return admitted;
                }));
            }
            assertEquals(200, work.get(0).get() + work.get(1).get(), "the counters are exact across the two");
        } finally {
            pool.shutdownNow();
        }
        scheduler.runDue(); // both sinks' evaluation, on the test's thread
        List<Alert> quotaAlerts = of("quota-used", a.sent(), b.sent()), creditAlerts = of("remaining-below", a.sent(), b.sent());
        assertEquals(1, quotaAlerts.size(), "one alert of the fleet, not one per instance: " + quotaAlerts);
        assertEquals(Optional.of(quota.key().id()), quotaAlerts.get(0).keyId());
        assertEquals(80, quotaAlerts.get(0).value());
        assertEquals(Optional.of("o-q"), quotaAlerts.get(0).ownerId());
        assertEquals(1, creditAlerts.size(), creditAlerts.toString());
        assertEquals(9, creditAlerts.get(0).value());
    }

    @Test
    void anExpiringKeyIsAnnouncedByOneInstance() {
        Instance a = instance(), b = instance();
        assertEquals(0, a.alerts().checkKeys(), "nothing expires yet; a holds the lease now");
        assertEquals(0, b.alerts().checkKeys());

        // Written on b, which does not hold the lease: b claims and sends it; a's round finds the claim taken.
        IssuedKey soon = b.keys().manager().create(NewKey.builder("sk_live").ownerId("o-1")
                .expiresAt(clock.instant().plus(Duration.ofDays(3))).build(), KeyManager.SYSTEM);
        scheduler.runDue();
        assertEquals(1, b.sent().size(), b.sent().toString());
        assertEquals(Optional.of(soon.key().id()), b.sent().get(0).keyId());
        assertEquals(0, a.alerts().checkKeys(), "claimed by b");
        assertEquals(0, b.alerts().checkKeys(), "b does not hold the lease: it skips the round");

        // Entering the window by time: only the lease holder's round announces it.
        IssuedKey later = a.keys().manager().create(NewKey.builder("sk_live").ownerId("o-2")
                .expiresAt(clock.instant().plus(Duration.ofDays(10))).build(), KeyManager.SYSTEM);
        scheduler.runDue();
        clock.advance(Duration.ofDays(4));
        assertEquals(1, a.alerts().checkKeys(), "a's round (its lease renewed)");
        assertEquals(0, b.alerts().checkKeys(), "a holds the lease");
        assertEquals(0, a.alerts().checkKeys(), "once per key and expiry");
        assertEquals(Optional.of(later.key().id()), a.sent().get(0).keyId());

        // The holder stops: b takes the rounds over at once, and repeats nothing already sent.
        a.alerts().close();
        IssuedKey third = a.keys().manager().create(NewKey.builder("sk_live").ownerId("o-3")
                .expiresAt(clock.instant().plus(Duration.ofDays(8))).build(), KeyManager.SYSTEM);
        clock.advance(Duration.ofDays(1).plusMinutes(1));
        assertEquals(1, b.alerts().checkKeys(), "only the third key is new to the fleet");
        assertEquals(Optional.of(third.key().id()), b.sent().get(1).keyId());
        assertEquals(3, of("expiring", a.sent(), b.sent()).size());
    }
}
