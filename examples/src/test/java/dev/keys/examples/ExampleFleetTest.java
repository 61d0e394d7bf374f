package dev.keys.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keys.core.format.KeyFormat;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import dev.keys.servlet.harness.OpenApiContract;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two example instances on one PostgreSQL (a schema of this test's own in {@code KEYS_TEST_JDBC_URL}) and one Redis
 * (the shared one, {@code KEYS_TEST_REDIS_URL}, under a key prefix of this test's own, removed after): together they
 * admit exactly a key's limit, as docs/contract.md §7 promises, where without Redis each would admit it.
 */
class ExampleFleetTest {
    static final String JDBC = System.getenv().getOrDefault("KEYS_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    static final String REDIS = System.getenv().getOrDefault("KEYS_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    final HttpClient http = OpenApiContract.checking(HttpClient.newHttpClient(), OpenApiContract.Mounts.example());
    final List<ExampleService> running = new ArrayList<>();
    final String schema = "keys_fleet_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final String prefix = "keysfleet-" + UUID.randomUUID().toString().substring(0, 8);
    @TempDir Path dirA;
    @TempDir Path dirB;

    @BeforeEach
    void schema() {
        DriverManager.setLoginTimeout(3);
        try (Connection c = DriverManager.getConnection(JDBC); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError("CI=true: PostgreSQL is not reachable", e);
            Assumptions.abort("PostgreSQL is not reachable at KEYS_TEST_JDBC_URL: " + e.getMessage());
        }
    }

    @AfterEach
    void cleanUp() throws SQLException {
        running.forEach(ExampleService::close);
        try (Connection c = DriverManager.getConnection(JDBC); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        }
        RedisClient client = RedisClient.create(REDIS);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = c.sync().scan(cursor, ScanArgs.Builder.matches("{" + prefix + ":*").limit(1000));
                if (!page.getKeys().isEmpty()) c.sync().del(page.getKeys().toArray(String[]::new));
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    ExampleService start(Path dir, Map<String, String> shared) throws Exception {
        Map<String, String> env = new HashMap<>(shared);
        env.put("PORT", "0");
        env.put("KEYS_DATA_DIR", dir.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExampleService s = ExampleService.start(Settings.fromEnvironment(env), new PrintStream(out, true, StandardCharsets.UTF_8));
        running.add(s);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("limits:    shared in Redis at " + REDIS + " (prefix " + prefix + ")"), out.toString());
        return s;
    }

    HttpResponse<String> send(ExampleService s, String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + s.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + key);
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void twoInstancesOnOneRedisAdmitExactlyTheKeysLimitBetweenThem() throws Exception {
        byte[] root = new byte[32];
        new SecureRandom().nextBytes(root);
        String admin = new KeyFormat().generate("ops_live");
        Map<String, String> env = Map.of(
                "KEYS_JDBC_URL", JDBC + (JDBC.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                "KEYS_ROOT_SECRET", HexFormat.of().formatHex(root),   // one pepper: both hash keys alike
                "KEYS_ADMIN_KEY", admin,
                "KEYS_REDIS_URL", REDIS,
                "KEYS_REDIS_PREFIX", prefix,
                "KEYS_REDIS_TIMEOUT", "PT2S");                       // a busy machine must not look like an outage
        ExampleService a = start(dirA, env), b = start(dirB, env);

        HttpResponse<String> created = send(a, "POST", "/admin/v1/keys", admin, "{\"ownerId\":\"fleet\",\"prefix\":\"demo_live\","
                + "\"permissions\":[\"hello:read\"],\"ratelimits\":[{\"name\":\"sustained\",\"limit\":5,\"duration\":\"PT1H\"}]}");
        assertEquals(201, created.statusCode(), created.body());
        String key = new ObjectMapper().readTree(created.body()).get("key").asText();

        int admitted = 0;
        List<HttpResponse<String>> refused = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> r = send(i % 2 == 0 ? a : b, "GET", "/api/hello", key, null);
            if (r.statusCode() == 200) admitted++;
            else refused.add(r);
        }
        assertEquals(5, admitted, "the limit, across both instances");
        assertEquals(7, refused.size());
        for (HttpResponse<String> r : refused) {
            assertEquals(429, r.statusCode(), r.body());
            long retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter > 0 && retryAfter <= 720, "a token every 720 s: " + retryAfter);
            assertEquals("\"sustained\";q=5;w=3600", r.headers().firstValue("RateLimit-Policy").orElseThrow());
            assertTrue(r.headers().firstValue("RateLimit").orElseThrow().startsWith("\"sustained\";r=0;t="), r.headers().map().toString());
        }
        assertEquals(429, send(a, "GET", "/api/hello", key, null).statusCode(), "refused on both");
        assertEquals(429, send(b, "GET", "/api/hello", key, null).statusCode());
    }
}
