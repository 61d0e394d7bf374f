package dev.keys.core.ops;

import com.sun.net.httpserver.HttpServer;
import dev.keys.api.Background;
import dev.keys.test.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The webhook against a real HTTP server on the loopback interface: signature, body, retries, giving up. */
class WebhookAlertSinkTest {
    static final byte[] SECRET = "0123456789abcdef-webhook-secret".getBytes(StandardCharsets.UTF_8);
    record Received(String body, String signature, String contentType) {
    }

    HttpServer server;
    final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    final AtomicInteger failFirst = new AtomicInteger();
    final AtomicInteger status = new AtomicInteger(204);

    /** A real scheduler for the tests that wait on the network; the others use a {@link ManualScheduler}. */
    final ScheduledExecutorService scheduler = Background.daemonScheduler("webhook-test");
    final CountDownLatch slow = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/slow", ex -> {
            ex.getRequestBody().readAllBytes();
            received.add(new Received("", null, null));
            try {
                slow.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            received.add(new Received(new String(body, StandardCharsets.UTF_8), ex.getRequestHeaders().getFirst("X-Keys-Signature"),
                    ex.getRequestHeaders().getFirst("Content-Type")));
            int code = failFirst.getAndDecrement() > 0 ? 503 : status.get();
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        slow.countDown();
        server.stop(0);
        scheduler.shutdownNow();
    }

    WebhookAlertSink started(WebhookAlertSink sink) {
        sink.start(scheduler);
        return sink;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    static Alert alert() {
        return new Alert("rate-limited", Optional.of("key_abc"), Optional.of("acme"), Optional.empty(),
                Instant.parse("2026-05-01T10:00:00Z"), Instant.parse("2026-05-01T10:05:00Z"), 101, "key key_abc had \"many\"\nlimits");
    }

    /** What a receiver does: HMAC the raw body with the shared secret and compare in constant time. */
    static boolean signatureValid(String body, String header) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        return header != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), header.getBytes(StandardCharsets.US_ASCII));
    }

    Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        assertNotNull(r, "no webhook call within 10 s");
        return r;
    }

    @Test
    void postsSignedJsonAndRetriesServerErrors() throws Exception {
        failFirst.set(2);
        try (WebhookAlertSink sink = started(WebhookAlertSink.builder(url(), SECRET).backoff(Duration.ZERO).maxAttempts(3).timeout(Duration.ofSeconds(5)).build())) {
            sink.onAlert(alert());
            Received first = next(), second = next(), third = next();
            for (Received r : List.of(first, second, third)) {
                assertTrue(signatureValid(r.body(), r.signature()), r.signature());
                assertEquals("application/json", r.contentType());
            }
            assertEquals(first.body(), third.body(), "a retry sends the same body, id included");
            assertTrue(first.body().startsWith("{\"id\":\""), first.body());
            assertTrue(first.body().contains("\"rule\":\"rate-limited\",\"kind\":\"rate-limited\",\"keyId\":\"key_abc\",\"tenant\":\"acme\","
                    + "\"ownerId\":null,\"client\":null,"
                    + "\"windowStart\":\"2026-05-01T10:00:00Z\",\"windowEnd\":\"2026-05-01T10:05:00Z\",\"count\":101,\"threshold\":0,\"value\":101,"
                    + "\"message\":\"key key_abc had \\\"many\\\"\\nlimits\""), first.body());
            assertFalse(signatureValid(first.body() + " ", first.signature()), "a changed body fails the check");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sink.delivered() == 0 && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            assertEquals(1, sink.delivered());
            assertEquals(0, sink.failed());
        }
    }

    @Test
    void aClientErrorIsNotRetriedAndAttemptsAreBounded() throws Exception {
        status.set(400);
        try (WebhookAlertSink sink = started(WebhookAlertSink.builder(url(), SECRET).backoff(Duration.ZERO).maxAttempts(3).build())) {
            sink.onAlert(alert());
            next();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sink.failed() == 0 && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            assertEquals(1, sink.failed());
            assertNull(received.poll(), "no retry after a 400");
        }
        failFirst.set(100);
        status.set(204);
        try (WebhookAlertSink sink = started(WebhookAlertSink.builder(url(), SECRET).backoff(Duration.ZERO).maxAttempts(2).build())) {
            sink.onAlert(alert());
            next();
            next();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sink.failed() == 0 && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            assertEquals(1, sink.failed());
        }
        assertEquals(0, received.size(), "two attempts, no third");
    }

    @Test
    void anUnreachableReceiverIsGivenUpOnWithinTheTimeouts() throws Exception {
        server.stop(0);
        try (WebhookAlertSink sink = started(WebhookAlertSink.builder(url(), SECRET).backoff(Duration.ZERO).maxAttempts(2)
                .timeout(Duration.ofSeconds(1)).build())) {
            sink.onAlert(alert());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sink.failed() == 0 && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            assertEquals(1, sink.failed());
        }
    }

    /** The retry waits are scheduled tasks: moving the scheduler's clock, not waiting, releases them. */
    @Test
    void retriesWaitTheBackoffDoubledEachTimeOnTheScheduler() throws Exception {
        failFirst.set(2);
        ManualScheduler manual = new ManualScheduler();
        try (WebhookAlertSink sink = WebhookAlertSink.builder(url(), SECRET).backoff(Duration.ofMillis(500)).maxAttempts(3).build()) {
            sink.onAlert(alert());
            assertEquals(0, manual.pending(), "nothing is sent before start");
            sink.start(manual);
            assertEquals(1, manual.runDue(), "one task takes the alert and sends it");
            next();
            assertTrue(manual.awaitPending(Duration.ofSeconds(10)), "the 503 schedules a retry");
            assertEquals(Optional.of(Duration.ofMillis(500)), manual.nextDelay());
            assertEquals(0, manual.advance(Duration.ofMillis(499)));
            assertEquals(1, manual.advance(Duration.ofMillis(1)));
            next();
            assertTrue(manual.awaitPending(Duration.ofSeconds(10)));
            assertEquals(Optional.of(Duration.ofMillis(1000)), manual.nextDelay(), "the wait doubles");
            manual.advance(Duration.ofMillis(1000));
            next();
            assertTrue(manual.awaitPending(Duration.ofSeconds(10)), "the answer hands the next alert back to the scheduler");
            assertEquals(1, sink.delivered());
            manual.runDue();
            assertEquals(0, manual.pending(), "no task is left once the queue is empty");
            assertEquals(0, sink.failed());
        }
    }

    @Test
    void aSlowReceiverDoesNotHoldTheSchedulerThread() throws Exception {
        ManualScheduler manual = new ManualScheduler();
        URI slowUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/slow");
        try (WebhookAlertSink sink = WebhookAlertSink.builder(slowUrl, SECRET).build()) {
            sink.start(manual);
            sink.onAlert(alert());
            sink.onAlert(alert());
            assertEquals(1, manual.runDue(), "the send returns at once");
            next();
            assertEquals(0, manual.pending(), "one delivery at a time: the second waits for the first");
            slow.countDown();
            assertTrue(manual.awaitPending(Duration.ofSeconds(10)));
            manual.runDue();
            next();
            assertTrue(manual.awaitPending(Duration.ofSeconds(10)));
            manual.runDue();
            assertEquals(2, sink.delivered());
        }
    }

    @Test
    void closeSendsWhatIsQueuedFromTheCallerWhenNoSchedulerRuns() throws Exception {
        WebhookAlertSink never = WebhookAlertSink.builder(url(), SECRET).build();
        never.onAlert(alert());
        never.close();
        Received r = next();
        assertTrue(signatureValid(r.body(), r.signature()), "signed as from the scheduler");
        assertEquals(1, never.delivered());

        ManualScheduler stopped = new ManualScheduler();
        WebhookAlertSink sink = WebhookAlertSink.builder(url(), SECRET).build();
        sink.start(stopped);
        sink.onAlert(alert());
        stopped.shutdown();
        sink.close();
        next();
        assertEquals(1, sink.delivered());
        sink.onAlert(alert());
        assertEquals(1, sink.dropped(), "a closed sink takes nothing");
    }

    @Test
    void refusesShortSecretsAndOtherSchemes() {
        assertThrows(IllegalArgumentException.class, () -> WebhookAlertSink.builder(url(), new byte[8]));
        assertThrows(IllegalArgumentException.class, () -> WebhookAlertSink.builder(URI.create("file:///tmp/x"), SECRET));
    }
}
