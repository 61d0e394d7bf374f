package dev.keys.core.ops;

import dev.keys.core.store.InMemoryLastUse;

import dev.keys.api.Outcome;
import dev.keys.api.RateLimit;
import dev.keys.api.RequestContext;
import dev.keys.api.UsageEvent;
import dev.keys.core.Keys;
import dev.keys.api.Background;
import dev.keys.test.ManualClock;
import dev.keys.test.ManualScheduler;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryKeyStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.*;

class AlertingUsageSinkTest {
    static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    final ManualClock clock = new ManualClock(T0);
    /** Evaluation runs when a test says so: {@link #idle} runs what is due. */
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) c.close();
    }

    Keys keys(AlertingUsageSink sink) {
        Keys k = Keys.builder().store(new InMemoryKeyStore()).clock(clock).scheduler(scheduler)
                .verifier(v -> v.syncInterval(Duration.ZERO).usageSink(sink)).build();
        closing.add(k);
        return k;
    }

    AlertingUsageSink.Builder sink() {
        return AlertingUsageSink.builder(new InMemoryLastUse()).clock(clock).listener(alerts::add).checkInterval(Duration.ZERO);
    }

    AlertingUsageSink build(AlertingUsageSink.Builder b) {
        AlertingUsageSink s = b.build();
        s.start(scheduler);
        closing.add(0, s);
        return s;
    }

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    void idle(AlertingUsageSink s) {
        scheduler.runDue();
        assertEquals(0, scheduler.pending(), "no task is left once the queue is empty");
    }

    static void noSecret(List<Alert> alerts, String plaintext) {
        for (Alert a : alerts) {
            assertFalse(a.toString().contains(plaintext));
            assertFalse(a.toString().contains(plaintext.substring(plaintext.lastIndexOf('_') + 1, plaintext.lastIndexOf('_') + 21)));
        }
    }

    @Test
    void aKeyRateLimitedMoreThanNTimesInAWindowAlertsOncePerWindow() throws Exception {
        AlertingUsageSink sink = build(sink().rule(AlertRule.rateLimited(3, Duration.ofMinutes(5))));
        Keys keys = keys(sink);
        IssuedKey k = keys.manager().create(NewKey.builder("sk_live").tenant("acme")
                .ratelimits(new RateLimit("sustained", 1, Duration.ofMinutes(10))).build(), KeyManager.SYSTEM);
        assertTrue(keys.verifier().verify(k.plaintext()).isValid());
        for (int i = 0; i < 10; i++) assertEquals(Outcome.RATE_LIMITED, keys.verifier().verify(k.plaintext()).outcome());
        idle(sink);
        assertEquals(1, alerts.size(), alerts.toString());
        Alert a = alerts.get(0);
        assertEquals("rate-limited", a.rule());
        assertEquals(Optional.of(k.key().id()), a.keyId());
        assertEquals(Optional.of("acme"), a.tenant());
        assertEquals(Optional.empty(), a.client());
        assertEquals(4, a.count());
        assertEquals(T0, a.windowStart());
        assertEquals(T0.plus(Duration.ofMinutes(5)), a.windowEnd());

        clock.advance(Duration.ofMinutes(5)); // the next window; the bucket is still empty
        for (int i = 0; i < 3; i++) keys.verifier().verify(k.plaintext());
        idle(sink);
        assertEquals(1, alerts.size(), "three is not more than three");
        keys.verifier().verify(k.plaintext());
        idle(sink);
        assertEquals(2, alerts.size());
        assertEquals(T0.plus(Duration.ofMinutes(5)), alerts.get(1).windowStart());
        noSecret(alerts, k.plaintext());
    }

    @Test
    void failedVerificationsFromOneAddressAlertWithTheAddressAndNoKey() throws Exception {
        AlertingUsageSink sink = build(sink().rule(AlertRule.failedVerifications(3, Duration.ofMinutes(1))));
        Keys keys = keys(sink);
        ObservingVerifier verifier = ObservingVerifier.of(keys.verifier(), clock, sink);
        String unknown = new KeyFormat().generate("sk_live");
        RequestContext attacker = RequestContext.NONE.withClientAddress(ip("203.0.113.7"));
        RequestContext other = RequestContext.NONE.withClientAddress(ip("198.51.100.1"));
        assertEquals(Outcome.MALFORMED, verifier.verify("garbage", attacker).outcome());
        assertEquals(Outcome.NOT_FOUND, verifier.verify(unknown, attacker).outcome());
        verifier.verify(unknown, other);
        verifier.verify(unknown, other);
        verifier.verify(unknown, other);
        verifier.verify("", attacker); // MISSING is not a failed verification
        idle(sink);
        assertEquals(List.of(), alerts);
        verifier.verify(unknown, attacker);
        verifier.verify(unknown, attacker);
        verifier.verify(unknown, attacker);
        idle(sink);
        assertEquals(1, alerts.size(), alerts.toString());
        Alert a = alerts.get(0);
        assertEquals("failed-verifications", a.rule());
        assertEquals(Optional.of("203.0.113.7"), a.client());
        assertEquals(Optional.empty(), a.keyId());
        assertEquals(4, a.count());
        noSecret(alerts, unknown);
    }

    @Test
    void aKeyUsedFromANewNetworkAlertsOncePerNetwork() throws Exception {
        AlertingUsageSink sink = build(sink().rule(AlertRule.newNetwork()));
        Keys keys = keys(sink);
        ObservingVerifier verifier = ObservingVerifier.of(keys.verifier(), clock, sink);
        IssuedKey k = keys.manager().create(NewKey.builder("sk_live").tenant("acme").build(), KeyManager.SYSTEM);
        for (String from : List.of("198.51.100.10", "198.51.100.20", "203.0.113.5", "203.0.113.9", "198.51.100.30",
                "2001:db8:1:2::1", "2001:db8:1:ffff::2")) {
            assertTrue(verifier.verify(k.plaintext(), RequestContext.NONE.withClientAddress(ip(from))).isValid());
        }
        idle(sink);
        assertEquals(List.of(Optional.of("203.0.113.0/24"), Optional.of("2001:db8:1:0:0:0:0:0/48")), alerts.stream().map(Alert::client).toList());
        assertEquals(Optional.of(k.key().id()), alerts.get(0).keyId());
        assertEquals("new-network", alerts.get(0).rule());
        noSecret(alerts, k.plaintext());
    }

    @Test
    void unusedKeysAlertOncePerIdleStretch() throws Exception {
        InMemoryLastUse lastUse = new InMemoryLastUse();
        List<AlertingUsageSink> holder = new ArrayList<>();
        Keys keys = Keys.builder().store(new InMemoryKeyStore()).clock(clock)
                .verifier(v -> v.syncInterval(Duration.ZERO).usageSink(lastUse)).build();
        closing.add(keys);
        AlertingUsageSink sink = build(sink().rule(AlertRule.unused(Duration.ofDays(30))).keys(keys.store(), lastUse));
        holder.add(sink);
        IssuedKey used = keys.manager().create(NewKey.builder("sk_live").tenant("acme").build(), KeyManager.SYSTEM);
        IssuedKey never = keys.manager().create(NewKey.builder("sk_live").tenant("acme").build(), KeyManager.SYSTEM);
        IssuedKey disabled = keys.manager().create(NewKey.builder("sk_live").tenant("acme").build(), KeyManager.SYSTEM);
        keys.manager().disable(disabled.key().id(), KeyManager.SYSTEM, Optional.empty());
        clock.advance(Duration.ofDays(10));
        keys.verifier().verify(used.plaintext());
        clock.advance(Duration.ofDays(25));
        assertEquals(1, sink.checkKeys());
        assertEquals(Optional.of(never.key().id()), alerts.get(0).keyId());
        assertEquals(35, alerts.get(0).count());
        assertEquals(T0, alerts.get(0).windowStart());
        assertEquals(0, sink.checkKeys(), "once per idle stretch");
        clock.advance(Duration.ofDays(6));
        assertEquals(1, sink.checkKeys());
        assertEquals(Optional.of(used.key().id()), alerts.get(1).keyId());
        keys.verifier().verify(never.plaintext());
        clock.advance(Duration.ofDays(30));
        assertEquals(1, sink.checkKeys(), "never was used, and fell idle anew; used is still in the same stretch");
        assertEquals(Optional.of(never.key().id()), alerts.get(2).keyId());
        noSecret(alerts, used.plaintext());
    }

    @Test
    void recordPassesEveryEventOnAndNeverBlocks() throws Exception {
        List<UsageEvent> passed = Collections.synchronizedList(new ArrayList<>());
        AlertingUsageSink sink = build(AlertingUsageSink.builder(passed::add).clock(clock).listener(alerts::add)
                .rule(AlertRule.rateLimited(0, Duration.ofMinutes(1))).queueCapacity(1).checkInterval(Duration.ZERO));
        for (int i = 0; i < 1000; i++) sink.record(new UsageEvent("key_" + i, "t", Outcome.RATE_LIMITED, Clock0.nanos(i)));
        idle(sink);
        assertEquals(1000, passed.size());
        assertEquals(1000, alerts.size() + sink.dropped(), "each event alerted or was dropped for alerting");
    }

    @Test
    void aThrowingListenerIsCountedAndEvaluationGoesOn() throws Exception {
        AlertingUsageSink sink = build(sink().listener(a -> { throw new IllegalStateException("down"); })
                .rule(AlertRule.rateLimited(0, Duration.ofMinutes(1))));
        sink.record(new UsageEvent("key_a", "t", Outcome.RATE_LIMITED, Clock0.nanos(0)));
        sink.record(new UsageEvent("key_b", "t", Outcome.RATE_LIMITED, Clock0.nanos(0)));
        idle(sink);
        assertEquals(2, sink.listenerFailures());
    }

    @Test
    void theUnusedRuleRunsEveryCheckIntervalOnTheScheduler() {
        InMemoryLastUse lastUse = new InMemoryLastUse();
        Keys keys = Keys.builder().store(new InMemoryKeyStore()).clock(clock).scheduler(scheduler)
                .verifier(v -> v.syncInterval(Duration.ZERO).usageSink(lastUse)).build();
        closing.add(keys);
        AlertingUsageSink sink = build(sink().rule(AlertRule.unused(Duration.ofDays(30))).checkInterval(Duration.ofDays(1))
                .keys(keys.store(), lastUse));
        IssuedKey k = keys.manager().create(NewKey.builder("sk_live").tenant("acme").build(), KeyManager.SYSTEM);
        scheduler.advance(Duration.ofDays(29));
        assertEquals(List.of(), alerts);
        scheduler.advance(Duration.ofDays(1));
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals(Optional.of(k.key().id()), alerts.get(0).keyId());
        sink.close();
        scheduler.advance(Duration.ofDays(60));
        assertEquals(1, alerts.size(), "a closed sink checks no more");
    }

    @Test
    void startingTheSinkStartsItsListenerAndItsDelegateOnTheSameScheduler() {
        List<Object> started = new ArrayList<>();
        final class BackgroundListener implements AlertListener, Background {
            @Override public void onAlert(Alert a) { }
            @Override public void start(ScheduledExecutorService s) { started.add(s); }
        }
        final class BackgroundSink implements dev.keys.api.UsageSink, Background {
            @Override public void record(UsageEvent e) { }
            @Override public void start(ScheduledExecutorService s) { started.add(s); }
        }
        AlertingUsageSink sink = AlertingUsageSink.builder(new BackgroundSink()).listener(new BackgroundListener()).build();
        closing.add(sink);
        assertEquals(List.of(), started, "nothing starts before the sink does");
        sink.start(scheduler);
        sink.start(scheduler);
        assertEquals(List.of(scheduler, scheduler), started);
    }

    @Test
    void closeEvaluatesWhatIsStillQueued() {
        AlertingUsageSink sink = sink().rule(AlertRule.rateLimited(0, Duration.ofMinutes(1))).build();
        sink.start(scheduler);
        sink.record(new UsageEvent("key_a", "t", Outcome.RATE_LIMITED, Clock0.nanos(0)));
        sink.close();
        assertEquals(1, alerts.size(), "evaluated on the closing thread");
        sink.record(new UsageEvent("key_b", "t", Outcome.RATE_LIMITED, Clock0.nanos(0)));
        scheduler.runDue();
        assertEquals(1, alerts.size(), "events recorded after close are not evaluated");
    }

    @Test
    void onTheKeysSchedulerEvaluationRunsOnItsOneThread() throws Exception {
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        AlertingUsageSink sink = AlertingUsageSink.builder(new InMemoryLastUse()).clock(clock).checkInterval(Duration.ZERO)
                .listener(a -> threads.add(Thread.currentThread().getName())).rule(AlertRule.rateLimited(0, Duration.ofMinutes(1))).build();
        closing.add(sink);
        try (Keys keys = Keys.builder().store(new InMemoryKeyStore()).clock(clock).verifier(v -> v.syncInterval(Duration.ZERO).usageSink(sink)).build()) {
            IssuedKey k = keys.manager().create(NewKey.builder("sk_live").ratelimits(new RateLimit("burst", 1, Duration.ofMinutes(10))).build(),
                    KeyManager.SYSTEM);
            keys.verifier().verify(k.plaintext());
            keys.verifier().verify(k.plaintext());
            assertTrue(sink.awaitIdle(Duration.ofSeconds(10)), "alert evaluation did not catch up");
            assertEquals(List.of(Keys.THREAD_NAME), threads);
        }
    }

    static final class Clock0 {
        static long nanos(int seconds) {
            return dev.keys.api.Clock.toNanos(T0.plusSeconds(seconds));
        }
    }
}
