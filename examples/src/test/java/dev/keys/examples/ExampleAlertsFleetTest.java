package dev.keys.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.keys.core.format.KeyFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The example's early alerts on two instances sharing one PostgreSQL (a schema of this test's own): a key used on
 * both in turn over HTTP crosses its quota and remaining-use thresholds, and a key created to expire within the
 * window, each announced once to the webhook (a JDK HTTP server checking the signature), not once per instance.
 */
class ExampleAlertsFleetTest {
    static final String JDBC = System.getenv().getOrDefault("KEYS_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    static final String SECRET = "example-alerts-secret-0123456789";

    final HttpClient http = HttpClient.newHttpClient();
    final List<ExampleService> running = new ArrayList<>();
    final String schema = "keys_alerts_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    final List<String> unsigned = new ArrayList<>();
    HttpServer receiver;
    @TempDir Path dirA;
    @TempDir Path dirB;

    @BeforeEach
    void up() throws Exception {
        DriverManager.setLoginTimeout(3);
        try (Connection c = DriverManager.getConnection(JDBC); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError("CI=true: PostgreSQL is not reachable", e);
            Assumptions.abort("PostgreSQL is not reachable at KEYS_TEST_JDBC_URL: " + e.getMessage());
        }
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks/keys", x -> {
            byte[] raw = x.getRequestBody().readAllBytes();
            boolean ok;
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                byte[] expected = ("sha256=" + HexFormat.of().formatHex(mac.doFinal(raw))).getBytes(StandardCharsets.US_ASCII);
                String header = x.getRequestHeaders().getFirst("X-Keys-Signature");
                ok = header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.US_ASCII));
            } catch (Exception e) {
                ok = false;
            }
            if (ok) received.add(new ObjectMapper().readTree(raw));
            else synchronized (unsigned) { unsigned.add(new String(raw, StandardCharsets.UTF_8)); }
            x.sendResponseHeaders(ok ? 204 : 401, -1);
            x.close();
        });
        receiver.start();
    }

    @AfterEach
    void down() throws SQLException {
        running.forEach(ExampleService::close);
        if (receiver != null) receiver.stop(0);
        try (Connection c = DriverManager.getConnection(JDBC); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    ExampleService start(Path dir, Map<String, String> shared) throws Exception {
        Map<String, String> env = new HashMap<>(shared);
        env.put("PORT", "0");
        env.put("KEYS_DATA_DIR", dir.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExampleService s = ExampleService.start(Settings.fromEnvironment(env), new PrintStream(out, true, StandardCharsets.UTF_8));
        running.add(s);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("alerts:    to http://127.0.0.1:" + receiver.getAddress().getPort() + "/... (signed)"), out.toString());
        assertFalse(out.toString(StandardCharsets.UTF_8).contains(SECRET));
        return s;
    }

    HttpResponse<String> send(ExampleService s, String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + s.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + key);
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode next() throws InterruptedException {
        JsonNode a = received.poll(30, TimeUnit.SECONDS);
        assertNotNull(a, "no alert reached the webhook within 30 s");
        return a;
    }

    @Test
    void twoInstancesSendEachEarlyAlertOnce() throws Exception {
        byte[] root = new byte[32];
        new SecureRandom().nextBytes(root);
        String admin = new KeyFormat().generate("ops_live");
        Map<String, String> env = Map.of(
                "KEYS_JDBC_URL", JDBC + (JDBC.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                "KEYS_ROOT_SECRET", HexFormat.of().formatHex(root),
                "KEYS_ADMIN_KEY", admin,
                "KEYS_ALERT_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/keys",
                "KEYS_ALERT_WEBHOOK_SECRET", SECRET,
                "KEYS_ALERT_REMAINING_BELOW", "3",
                "KEYS_ALERT_QUOTA_USED", "50%");
        ExampleService a = start(dirA, env), b = start(dirB, env);

        HttpResponse<String> created = send(a, "POST", "/admin/v1/keys", admin, "{\"ownerId\":\"fleet-1\",\"prefix\":\"demo_live\","
                + "\"permissions\":[\"hello:read\"],\"quota\":{\"limit\":10,\"period\":\"DAY\"},\"remaining\":8}");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode key = new ObjectMapper().readTree(created.body());
        for (int i = 0; i < 8; i++) assertEquals(200, send(i % 2 == 0 ? a : b, "GET", "/api/hello", key.get("key").asText(), null).statusCode());
        List<JsonNode> got = List.of(next(), next());
        assertEquals(List.of("quota-used", "remaining-below"), got.stream().map(n -> n.get("kind").asText()).sorted().toList(), got.toString());
        for (JsonNode n : got) {
            assertEquals(key.get("keyId").asText(), n.get("keyId").asText());
            assertEquals("fleet-1", n.get("ownerId").asText());
            assertFalse(n.toString().contains(key.get("key").asText()));
        }

        String expires = Instant.now().plus(Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        HttpResponse<String> soon = send(b, "POST", "/admin/v1/keys", admin, "{\"ownerId\":\"fleet-2\",\"prefix\":\"demo_live\","
                + "\"permissions\":[\"hello:read\"],\"expiresAt\":\"" + expires + "\"}");
        assertEquals(201, soon.statusCode(), soon.body());
        JsonNode e = next();
        assertEquals("expiring", e.get("kind").asText());
        assertEquals(new ObjectMapper().readTree(soon.body()).get("keyId").asText(), e.get("keyId").asText());
        assertEquals(expires, e.get("windowEnd").asText());

        // Both run their periodic checks now: one holds the lease, and the expiry was claimed already.
        assertEquals(0, a.alerts().orElseThrow().checkKeys() + b.alerts().orElseThrow().checkKeys());
        a.close();
        b.close();  // each sends what it has queued before it stops
        assertNull(received.poll(), "each alert once, not once per instance");
        synchronized (unsigned) {
            assertEquals(List.of(), unsigned);
        }
    }
}
