package dev.keys.core.ops;

import com.sun.net.httpserver.HttpServer;
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

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
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
        server.stop(0);
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
        try (WebhookAlertSink sink = WebhookAlertSink.builder(url(), SECRET).backoff(Duration.ZERO).maxAttempts(3).timeout(Duration.ofSeconds(5)).build()) {
            sink.onAlert(alert());
            Received first = next(), second = next(), third = next();
            for (Received r : List.of(first, second, third)) {
                assertTrue(signatureValid(r.body(), r.signature()), r.signature());
                assertEquals("application/json", r.contentType());
            }
            assertEquals(first.body(), third.body(), "a retry sends the same body, id included");
            assertTrue(first.body().startsWith("{\"id\":\""), first.body());
            assertTrue(first.body().contains("\"rule\":\"rate-limited\",\"keyId\":\"key_abc\",\"tenant\":\"acme\",\"client\":null,"
                    + "\"windowStart\":\"2026-05-01T10:00:00Z\",\"windowEnd\":\"2026-05-01T10:05:00Z\",\"count\":101,"
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
        try (WebhookAlertSink sink = WebhookAlertSink.builder(url(), SECRET).backoff(Duration.ZERO).maxAttempts(3).build()) {
            sink.onAlert(alert());
            next();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sink.failed() == 0 && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            assertEquals(1, sink.failed());
            assertNull(received.poll(), "no retry after a 400");
        }
        failFirst.set(100);
        status.set(204);
        try (WebhookAlertSink sink = WebhookAlertSink.builder(url(), SECRET).backoff(Duration.ZERO).maxAttempts(2).build()) {
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
        try (WebhookAlertSink sink = WebhookAlertSink.builder(url(), SECRET).backoff(Duration.ZERO).maxAttempts(2)
                .timeout(Duration.ofSeconds(1)).build()) {
            sink.onAlert(alert());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sink.failed() == 0 && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            assertEquals(1, sink.failed());
        }
    }

    @Test
    void refusesShortSecretsAndOtherSchemes() {
        assertThrows(IllegalArgumentException.class, () -> WebhookAlertSink.builder(url(), new byte[8]));
        assertThrows(IllegalArgumentException.class, () -> WebhookAlertSink.builder(URI.create("file:///tmp/x"), SECRET));
    }
}
