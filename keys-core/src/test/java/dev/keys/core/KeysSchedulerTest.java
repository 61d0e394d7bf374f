package dev.keys.core;

import dev.keys.api.AuditSink;
import dev.keys.api.Background;
import dev.keys.api.KeyStore;
import dev.keys.api.Outcome;
import dev.keys.api.UsageCounters;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.core.store.InMemoryUsageCounters;
import dev.keys.core.store.InMemoryUsageLog;
import dev.keys.core.verify.Verifier;
import dev.keys.test.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** One scheduler for all background work of a Keys: which one, what runs there, and who stops it. */
class KeysSchedulerTest {
    final InMemoryKeyStore store = new InMemoryKeyStore();
    final List<String> started = Collections.synchronizedList(new ArrayList<>());
    final List<ScheduledExecutorService> startedOn = Collections.synchronizedList(new ArrayList<>());

    /** {@code delegate} as a {@code type} that is also {@link Background}, noting each start. */
    @SuppressWarnings("unchecked")
    <T> T background(Class<T> type, T delegate, String name) {
        return (T) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type, Background.class}, (p, m, args) -> {
            if (m.getDeclaringClass() == Background.class) {
                started.add(name);
                startedOn.add((ScheduledExecutorService) args[0]);
                return null;
            }
            try {
                return m.invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    static Set<Thread> keysThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith("keys-")).collect(Collectors.toSet());
    }

    static Set<Thread> newThreads(Set<Thread> before) {
        Set<Thread> now = keysThreads();
        now.removeAll(before);
        return now;
    }

    @Test
    void aSchedulerHandedInRunsThePollAndEveryBackgroundComponentAndIsNotShutDown() {
        ManualScheduler scheduler = new ManualScheduler();
        InMemoryUsageLog usage = new InMemoryUsageLog(100, 100, Duration.ofDays(1), Duration.ofSeconds(1));
        KeyStore bgStore = background(KeyStore.class, store, "store");
        Keys keys = Keys.builder().store(bgStore).scheduler(scheduler)
                .audit(background(AuditSink.class, e -> { }, "audit"))
                .usageCounters(background(UsageCounters.class, new InMemoryUsageCounters(), "counters"))
                .verifier(v -> v.syncInterval(Duration.ofMillis(200)).usageSink(usage)).build();
        try (Keys other = Keys.builder().store(bgStore).verifier(v -> v.syncInterval(Duration.ZERO)).build()) {
            assertSame(scheduler, keys.scheduler());
            assertEquals(Set.of("store", "audit", "counters"), Set.copyOf(started.subList(0, 3)));
            assertTrue(startedOn.subList(0, 3).stream().allMatch(s -> s == scheduler), "" + startedOn);
            assertEquals(2, scheduler.pending(), "the poll and the usage log's drain");

            IssuedKey k = other.manager().create(NewKey.builder("sk_live").build(), KeyManager.SYSTEM);
            assertTrue(keys.verifier().verify(k.plaintext()).isValid());
            other.manager().revoke(k.key().id(), KeyManager.SYSTEM, Optional.empty());
            assertTrue(keys.verifier().verify(k.plaintext()).isValid(), "another instance's change waits for the poll");
            scheduler.advance(Duration.ofMillis(200));
            assertEquals(Outcome.REVOKED, keys.verifier().verify(k.plaintext()).outcome());
            scheduler.advance(Duration.ofSeconds(1));
            assertEquals(1, usage.rows(), "the usage log drained on the same scheduler");
        }
        keys.close();
        usage.close();
        assertFalse(scheduler.isShutdown(), "a scheduler handed in is not shut down");
        assertEquals(0, scheduler.pending(), "but what was scheduled on it is cancelled");
    }

    @Test
    void byDefaultAllBackgroundWorkSharesOneDaemonThreadThatCloseStops() throws Exception {
        Set<Thread> before = keysThreads();
        CountDownLatch ran = new CountDownLatch(3);
        List<Thread> ranOn = Collections.synchronizedList(new ArrayList<>());
        final class Ticking implements AuditSink, Background {
            @Override public void record(dev.keys.api.AuditEvent e) { }
            @Override public void start(ScheduledExecutorService s) {
                s.scheduleWithFixedDelay(() -> {
                    ranOn.add(Thread.currentThread());
                    ran.countDown();
                }, 1, 1, TimeUnit.MILLISECONDS);
            }
        }
        InMemoryUsageLog usage = new InMemoryUsageLog(100, 100, Duration.ofDays(1), Duration.ofMillis(1));
        Keys keys = Keys.builder().store(store).audit(new Ticking())
                .verifier(v -> v.syncInterval(Duration.ofMillis(5)).usageSink(usage)).build();
        Keys other = Keys.builder().store(store).verifier(v -> v.syncInterval(Duration.ZERO)).build();
        IssuedKey k = other.manager().create(NewKey.builder("sk_live").build(), KeyManager.SYSTEM);
        assertTrue(keys.verifier().verify(k.plaintext()).isValid());
        other.manager().revoke(k.key().id(), KeyManager.SYSTEM, Optional.empty());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (keys.verifier().verify(k.plaintext()).outcome() != Outcome.REVOKED) {
            assertTrue(System.nanoTime() < deadline, "the poll never ran");
            Thread.onSpinWait();
        }
        assertTrue(ran.await(30, TimeUnit.SECONDS));
        Set<Thread> mine = newThreads(before);
        assertEquals(1, mine.size(), "one thread for the poll, the usage log and the audit sink: " + mine);
        Thread t = mine.iterator().next();
        assertEquals(Keys.THREAD_NAME, t.getName());
        assertTrue(t.isDaemon());
        synchronized (ranOn) {                          // the task keeps adding while we look
            assertTrue(ranOn.stream().allMatch(x -> x == t));
        }

        keys.close();
        t.join(10_000);
        assertFalse(t.isAlive(), "close stops the thread Keys made");
        assertEquals(Set.of(), newThreads(before));
        other.close();
        usage.close();
    }

    @Test
    void aKeysWithoutBackgroundWorkStartsNoThread() {
        Set<Thread> before = keysThreads();
        try (Keys keys = Keys.builder().store(store).verifier(v -> v.syncInterval(Duration.ZERO)).build()) {
            keys.manager().create(NewKey.builder("sk_live").build(), KeyManager.SYSTEM);
            assertEquals(Set.of(), newThreads(before));
        }
    }

    @Test
    void aStandaloneVerifierRunsItsPollAndItsUsageSinkOnAThreadOfItsOwnThatCloseStops() throws Exception {
        Set<Thread> before = keysThreads();
        InMemoryUsageLog usage = new InMemoryUsageLog(100, 100, Duration.ofDays(1), Duration.ofSeconds(1));
        Verifier v = Verifier.builder(store).syncInterval(Duration.ofMillis(50)).usageSink(background(dev.keys.api.UsageSink.class, usage, "usage")).build();
        Set<Thread> mine = newThreads(before);
        assertEquals(Set.of("keys-verifier-sync"), mine.stream().map(Thread::getName).collect(Collectors.toSet()));
        assertEquals(List.of("usage"), started);
        v.close();
        for (Thread t : mine) t.join(10_000);
        assertEquals(Set.of(), newThreads(before));

        try (Verifier none = Verifier.builder(store).syncInterval(Duration.ZERO).build()) {
            assertEquals(Set.of(), newThreads(before), "no poll and no background sink: no thread");
        }
    }

    @Test
    void aVerifierGivenASchedulerStartsItsUsageSinkThere() {
        ManualScheduler scheduler = new ManualScheduler();
        try (Verifier v = Verifier.builder(store).scheduler(scheduler).syncInterval(Duration.ZERO)
                .usageSink(background(dev.keys.api.UsageSink.class, e -> { }, "usage")).build()) {
            assertEquals(List.of("usage"), started);
            assertEquals(List.of(scheduler), startedOn);
        }
        assertFalse(scheduler.isShutdown());
    }
}
