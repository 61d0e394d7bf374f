package dev.keys.jdbc;

import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariDataSource;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimit;
import dev.keys.core.Keys;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.ops.AlertRule;
import dev.keys.core.ops.AlertingUsageSink;
import dev.keys.core.ops.WebhookAlertSink;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The whole of a service's background work (the verifier's change-feed poll, the JDBC usage log's flush, alert
 * evaluation and webhook deliveries) runs on the one thread of its {@code Keys}, and stops with it.
 */
class OneBackgroundThreadTest {

    /** Live threads named as this library names its own (the test pools are {@code keys-test-...}). */
    static Set<Thread> libraryThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("keys-") && !t.getName().startsWith("keys-test-"))
                .collect(Collectors.toSet());
    }

    static void await(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.onSpinWait();
        }
    }

    /** {@code ds}, noting the name of every library thread that takes a connection. */
    static DataSource noting(DataSource ds, Set<String> threads) {
        return (DataSource) Proxy.newProxyInstance(OneBackgroundThreadTest.class.getClassLoader(), new Class<?>[] {DataSource.class}, (p, m, args) -> {
            String name = Thread.currentThread().getName();
            if (m.getName().equals("getConnection") && name.startsWith("keys-")) threads.add(name);
            try {
                return m.invoke(ds, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void aServiceWithPollUsageLogAlertsAndWebhookRunsAllOnOneThreadThatCloseStops() throws Exception {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        LinkedBlockingQueue<String> hooks = new LinkedBlockingQueue<>();
        receiver.createContext("/hook", ex -> {
            hooks.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        Set<String> dbThreads = Collections.synchronizedSet(new HashSet<>());
        try (TestDb db = TestDb.h2()) {
            HikariDataSource pool = db.pool(4);
            JdbcStores stores = JdbcStores.builder(noting(pool, dbThreads)).usageFlushInterval(Duration.ofMillis(20)).build();
            WebhookAlertSink webhook = WebhookAlertSink.builder(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"),
                    "0123456789abcdef-webhook-secret".getBytes(StandardCharsets.UTF_8)).build();
            AlertingUsageSink alerts = AlertingUsageSink.builder(stores.usageLog()).rule(AlertRule.rateLimited(0, Duration.ofMinutes(1)))
                    .listener(webhook).build();
            // Another instance on the same database, whose changes reach this one only through the change feed.
            Keys other = Keys.builder().store(stores.keyStore()).verifier(v -> v.syncInterval(Duration.ZERO)).build();

            Set<Thread> before = libraryThreads();
            Keys keys = Keys.builder().store(stores.keyStore()).audit(stores.auditLog()).usageCounters(stores.usageCounters())
                    .verifier(v -> v.syncInterval(Duration.ofMillis(20)).usageSink(alerts)).build();

            IssuedKey k = other.manager().create(NewKey.builder("sk_live").ratelimits(new RateLimit("burst", 1, Duration.ofMinutes(10))).build(),
                    KeyManager.SYSTEM);
            assertEquals(Outcome.VALID, keys.verifier().verify(k.plaintext()).outcome());
            assertEquals(Outcome.RATE_LIMITED, keys.verifier().verify(k.plaintext()).outcome());
            String hook = hooks.poll(30, TimeUnit.SECONDS);
            assertNotNull(hook, "the alert was evaluated and its webhook sent");
            assertTrue(hook.contains("\"rule\":\"rate-limited\""), hook);
            Instant minute = Instant.now().minus(Duration.ofMinutes(2));
            await(() -> !stores.usageLog().counts(k.key().id(), minute, minute.plus(Duration.ofMinutes(5)), Duration.ofMinutes(1)).isEmpty(),
                    "the usage log flushed by itself");
            other.manager().revoke(k.key().id(), KeyManager.SYSTEM, Optional.empty());
            await(() -> keys.verifier().verify(k.plaintext()).outcome() == Outcome.REVOKED, "the poll applied the other instance's revoke");
            await(() -> webhook.delivered() == 1, "the delivery was counted");

            Set<Thread> started = libraryThreads();
            started.removeAll(before);
            assertEquals(Set.of(Keys.THREAD_NAME), started.stream().map(Thread::getName).collect(Collectors.toSet()),
                    "one thread for all background work: " + started);
            assertEquals(1, started.size());
            assertEquals(Set.of(Keys.THREAD_NAME), dbThreads, "the poll and the flush took their connections there");

            keys.close();
            Thread t = started.iterator().next();
            t.join(10_000);
            assertFalse(t.isAlive(), "Keys.close() stops it");
            // Closed in the documented order, after Keys: each finishes on the calling thread.
            alerts.close();
            webhook.close();
            stores.close();
            other.close();
            Set<Thread> left = libraryThreads();
            left.removeAll(before);
            assertEquals(Set.of(), left);
        } finally {
            receiver.stop(0);
        }
    }
}
