package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.keys.core.authz.Roles;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.limit.Tiers;
import dev.keys.core.ops.AlertRule;
import dev.keys.core.ops.AlertingUsageSink;
import dev.keys.core.ops.WebhookAlertSink;
import dev.keys.servlet.harness.JettyHarness;
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
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The early alerts end to end: keys used over HTTP through the filter until a threshold is crossed, a key created
 * through the admin API to expire within the window, and each alert received once by a real HTTP webhook receiver
 * that checks the HMAC signature over the raw body before reading it.
 */
class EarlyAlertsOverHttpTest {
    static final byte[] SECRET = "early-alerts-webhook-secret-0123".getBytes(StandardCharsets.US_ASCII);
    static final String ADMIN = "/admin/v1";

    record Received(JsonNode body, boolean signed) {
    }

    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    HttpServer receiver;
    WebhookAlertSink webhook;
    AlertingUsageSink alerts;
    JettyHarness h;

    @BeforeEach
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks/keys", x -> {
            byte[] raw = x.getRequestBody().readAllBytes();
            Mac mac = hmac();
            byte[] expected = ("sha256=" + HexFormat.of().formatHex(mac.doFinal(raw))).getBytes(StandardCharsets.US_ASCII);
            String header = x.getRequestHeaders().getFirst(WebhookAlertSink.SIGNATURE_HEADER);
            boolean ok = header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.US_ASCII));
            received.add(new Received(JettyHarness.JSON.readTree(raw), ok));
            x.sendResponseHeaders(ok ? 204 : 401, -1);
            x.close();
        });
        receiver.start();
        webhook = WebhookAlertSink.builder(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/keys"), SECRET).build();
        h = new JettyHarness(Roles.EMPTY, Tiers.NONE, harness -> alerts = AlertingUsageSink.builder(harness.usage).clock(harness.clock)
                .rule(AlertRule.remainingBelow(3))
                .rule(AlertRule.quotaUsed(0.8))
                .rule(AlertRule.expiringWithin(Duration.ofDays(7)))
                .keys(harness.store).listener(webhook).checkInterval(Duration.ZERO).build());
        h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .servlet(ADMIN + "/*", KeyAdminServlet.builder(h.keys).auditLog(h.audit).usageLog(h.usage).clock(h.clock).build())
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            h.assertNoLeaks();
        } finally {
            h.close();
            alerts.close();
            webhook.close();
            receiver.stop(0);
        }
    }

    static Mac hmac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
            return mac;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    Received next() throws InterruptedException {
        Received r = received.poll(30, TimeUnit.SECONDS);
        assertNotNull(r, "no alert reached the webhook within 30 s");
        assertTrue(r.signed(), "the signature checks out over the raw body: " + r.body());
        return r;
    }

    void use(IssuedKey key, int times) throws InterruptedException {
        for (int i = 0; i < times; i++) assertEquals(200, h.get("/api/x", "X-API-Key", key.plaintext()).status());
        assertTrue(alerts.awaitIdle(Duration.ofSeconds(30)));
    }

    void noMoreAlerts() throws Exception {
        assertTrue(alerts.awaitIdle(Duration.ofSeconds(30)));
        webhook.close(); // sends what is queued, then stops: anything the rules raised has arrived by now
        assertEquals(0, webhook.failed() + webhook.dropped());
        assertNull(received.poll(), "no further alert");
    }

    @Test
    void remainingUsesAndQuotaCrossedOverHttpAlertOnceEachThroughTheSignedWebhook() throws Exception {
        IssuedKey credits = h.issue(NewKey.builder("sk_live").tenant("acme").ownerId("cust-42").remaining(6));
        use(credits, 3);
        assertNull(received.poll(), "3 left: not below 3");
        use(credits, 1);
        JsonNode a = next().body();
        assertEquals("remaining-below", a.get("rule").asText());
        assertEquals("remaining-below", a.get("kind").asText());
        assertEquals(credits.key().id(), a.get("keyId").asText());
        assertEquals("acme", a.get("tenant").asText());
        assertEquals("cust-42", a.get("ownerId").asText());
        assertEquals(3, a.get("threshold").asLong());
        assertEquals(2, a.get("value").asLong());
        use(credits, 2);
        assertEquals(429, h.get("/api/x", "X-API-Key", credits.plaintext()).status(), "spent");

        IssuedKey quota = h.issue(NewKey.builder("sk_live").tenant("acme").ownerId("cust-7").quota(new dev.keys.api.Quota(10, dev.keys.api.QuotaPeriod.DAY)));
        use(quota, 7);
        assertNull(received.poll(), "70% used");
        use(quota, 1);
        JsonNode q = next().body();
        assertEquals("quota-used", q.get("kind").asText());
        assertEquals("cust-7", q.get("ownerId").asText());
        assertEquals(8, q.get("threshold").asLong());
        assertEquals(8, q.get("value").asLong());
        assertEquals("2026-03-01T00:00:00Z", q.get("windowStart").asText());
        assertEquals("2026-03-02T00:00:00Z", q.get("windowEnd").asText());
        use(quota, 2);
        noMoreAlerts();
    }

    @Test
    void aKeyCreatedThroughTheAdminApiToExpireWithinTheWindowAlertsOnce() throws Exception {
        IssuedKey root = h.issue(NewKey.builder("ops_live").tenant("ops").permissions(KeyAdminServlet.ADMIN));
        String expires = h.clock.instant().plus(Duration.ofDays(3)).toString();
        JettyHarness.Exchange created = h.json("POST", ADMIN + "/keys", "{\"prefix\":\"sk_live\",\"name\":\"short\",\"tenant\":\"acme\","
                + "\"ownerId\":\"cust-9\",\"expiresAt\":\"" + expires + "\"}", "Authorization", JettyHarness.bearer(root.plaintext()));
        assertEquals(201, created.status(), created.body());
        h.issued.put(created.json().get("key").asText(), created);
        String id = created.json().get("keyId").asText();
        JsonNode a = next().body();
        assertEquals("expiring", a.get("kind").asText());
        assertEquals(id, a.get("keyId").asText());
        assertEquals("cust-9", a.get("ownerId").asText());
        assertEquals(expires, a.get("windowEnd").asText());
        assertEquals(Duration.ofDays(7).toSeconds(), a.get("threshold").asLong());
        assertEquals(Duration.ofDays(3).toSeconds(), a.get("value").asLong());
        assertFalse(a.toString().contains(created.json().get("key").asText()), "never the plaintext");

        h.clock.advance(Duration.ofDays(1));
        assertEquals(0, alerts.checkKeys(), "already sent for this expiry");
        JettyHarness.Exchange renamed = h.json("PATCH", ADMIN + "/keys/" + id, "{\"name\":\"renamed\"}", "Authorization", JettyHarness.bearer(root.plaintext()));
        assertEquals(200, renamed.status(), renamed.body());
        h.clock.advance(Duration.ofDays(2));
        assertEquals(401, h.get("/api/x", "X-API-Key", created.json().get("key").asText()).status(), "expired, as announced");
        noMoreAlerts();
    }
}
