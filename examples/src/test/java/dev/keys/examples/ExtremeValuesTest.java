package dev.keys.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keys.core.format.KeyFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import dev.keys.servlet.harness.OpenApiContract;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 14 item 1, end to end: two instances of the example service on one PostgreSQL (their own schema), and
 * create, PATCH and rotate driven through the real admin servlet with extreme values of every field. Whatever is
 * sent, no answer is a 500 or carries a stack trace, and a revoke made afterwards holds from the next request on
 * both instances (B after one poll of the change feed). A change that B cannot apply does not stop the changes after
 * it, and B says so in its log with the key id and the sequence only.
 */
class ExtremeValuesTest {
    static final String URL = System.getenv().getOrDefault("KEYS_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = OpenApiContract.checking(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
            OpenApiContract.Mounts.example());
    static final List<String> LOG = Collections.synchronizedList(new ArrayList<>());
    static final Handler CAPTURE = new Handler() {
        @Override public void publish(LogRecord r) { LOG.add(r.getLevel() + " " + r.getMessage()); }
        @Override public void flush() { }
        @Override public void close() { }
    };
    static String schema, adminKey;
    static ExampleService a, b;

    @BeforeContainer
    static void start() throws Exception {
        schema = "keys_prop_" + HexFormat.of().toHexDigits(new SecureRandom().nextInt());
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        adminKey = new KeyFormat(new SecureRandom()).generate("admin_live");
        byte[] root = new byte[32];
        new SecureRandom().nextBytes(root);
        Map<String, String> env = Map.of("PORT", "0", "KEYS_JDBC_URL", URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                "KEYS_ADMIN_KEY", adminKey, "KEYS_ROOT_SECRET", Base64.getEncoder().encodeToString(root),
                "KEYS_DATA_DIR", Files.createTempDirectory("keys-prop").toString());
        Logger.getLogger("dev.keys").addHandler(CAPTURE);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        a = ExampleService.start(Settings.fromEnvironment(env), quiet);
        b = ExampleService.start(Settings.fromEnvironment(env), quiet);
    }

    @AfterContainer
    static void stop() throws SQLException {
        Logger.getLogger("dev.keys").removeHandler(CAPTURE);
        if (b != null) b.close();
        if (a != null) a.close();
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
        for (String line : LOG) {
            assertFalse(line.contains(adminKey.substring(11)), "a log line holds key material: " + line);
        }
    }

    record Answer(int status, String body, String contentType) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    static Answer send(ExampleService on, String method, String path, String body, String... headers) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.port() + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) r.header("Content-Type", "application/json");
        if (headers.length > 0) r.headers(headers);
        try {
            HttpResponse<String> res = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
            Answer x = new Answer(res.statusCode(), res.body(), res.headers().firstValue("Content-Type").orElse(""));
            assertTrue(x.status < 500 || x.status == 503, method + " " + path + " " + body + " -> " + x.status + " " + x.body);
            assertFalse(x.body.contains("Exception") || x.body.contains("\tat ") || x.body.contains("<html"), method + " " + path + " -> " + x.body);
            if (x.status >= 400) assertEquals("application/problem+json", x.contentType, x.body);
            return x;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static Answer admin(ExampleService on, String method, String path, String body) {
        return send(on, method, "/admin/v1" + path, body, "Authorization", "Bearer " + adminKey);
    }

    static Answer hello(ExampleService on, String key) {
        return send(on, "GET", "/api/hello", null, "X-API-Key", key);
    }

    /** JSON values a caller might send for any field: instants and durations at every edge, numbers, odd strings. */
    @Provide
    Arbitrary<String> extreme() {
        List<String> instants = List.of("1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2262-04-11T23:47:16.854775807Z",
                "2262-04-11T23:47:16.854775808Z", "9999-12-31T23:59:59Z", "+10000-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z",
                "+999999999-12-31T23:59:59.999999999Z", "2026-13-01T00:00:00Z", "2026-03-01T12:00:00+18:00");
        List<String> durations = List.of("P100000D", "PT2562047788015215H", "PT0S", "PT-1S", "P36525D", "P36526D", "PT0.000000001S",
                "PT1S", "P1D", "PT9223372036854775807S", "-PT1S", "P");
        List<String> numbers = List.of(Long.toString(Long.MIN_VALUE), Long.toString(Long.MAX_VALUE), "0", "-1", "1", "1e308",
                "99999999999999999999999999", "1.5", "-0");
        List<String> strings = List.of("\"\"", "\"\\u0000\"", "\"" + "x".repeat(5000) + "\"", "null", "true", "[]", "{}", "\"\\ud800\"",
                "\"DAY\"", "\"month\"", "\"10.0.0.0/8\"", "\"::/0\"", "[\"*:*\"]", "[\"keys:admin\"]", "{\"a\":\"b\"}");
        return Arbitraries.oneOf(
                Arbitraries.of(instants).map(s -> "\"" + s + "\""),
                Arbitraries.of(durations).map(s -> "\"" + s + "\""),
                Arbitraries.of(numbers),
                Arbitraries.of(strings));
    }

    static final List<String> FIELDS = List.of("name", "ownerId", "expiresAt", "remaining", "tier", "roles", "permissions",
            "ipAllowlist", "meta", "quota", "ratelimits", "refill");

    /** A field with an extreme value, as itself, or inside the object or array that holds such values. */
    @Provide
    Arbitrary<String> member() {
        Arbitrary<String> v = extreme();
        return Combinators.combine(Arbitraries.of(FIELDS), v, v).as((f, x, y) -> switch (f) {
            case "quota" -> "\"quota\":{\"limit\":" + x + ",\"period\":" + y + "}";
            case "ratelimits" -> "\"ratelimits\":[{\"name\":\"r\",\"limit\":" + x + ",\"duration\":" + y + "}]";
            case "refill" -> "\"remaining\":5,\"refill\":{\"amount\":" + x + ",\"interval\":" + y + "}";
            default -> "\"" + f + "\":" + x;
        });
    }

    @Property(tries = 40)
    void noValueAnswers500AndARevokeAfterwardsHoldsOnBothInstances(@ForAll("member") String create, @ForAll("member") String patch,
                                                                    @ForAll("extreme") String grace, @ForAll boolean patchOnB) {
        admin(a, "POST", "/keys", "{\"prefix\":\"sk_live\"," + create + "}");
        JsonNode k = admin(a, "POST", "/keys", "{\"prefix\":\"sk_live\",\"permissions\":[\"hello:read\"]}").json();
        String id = k.get("keyId").asText(), key = k.get("key").asText();
        assertEquals(200, hello(a, key).status());
        assertEquals(200, hello(b, key).status(), "B has the key cached from here on");
        admin(patchOnB ? b : a, "PATCH", "/keys/" + id, "{" + patch + "}");
        admin(patchOnB ? b : a, "PATCH", "/keys/" + id, "{\"expiresAt\":\"9999-12-31T23:59:59Z\"}");
        Answer rotated = admin(a, "POST", "/keys/" + id + "/rotate", "{\"gracePeriod\":" + grace + "}");
        b.keys().verifier().sync();
        hello(b, key);
        assertEquals(200, admin(a, "POST", "/keys/" + id + "/revoke", "{\"reason\":\"property\"}").status());
        assertEquals("REVOKED", hello(a, key).json().get("code").asText());
        b.keys().verifier().sync();
        assertEquals("REVOKED", hello(b, key).json().get("code").asText(), "the revoke holds on the second instance");
        if (rotated.status() == 201) admin(a, "POST", "/keys/" + rotated.json().get("keyId").asText() + "/revoke", "{}");
    }

    @Property(tries = 3)
    void aChangeTheSecondInstanceCannotApplyDoesNotStopTheChangesAfterIt(@ForAll boolean unused) throws SQLException {
        JsonNode k = admin(a, "POST", "/keys", "{\"prefix\":\"sk_live\",\"permissions\":[\"hello:read\"]}").json();
        JsonNode later = admin(a, "POST", "/keys", "{\"prefix\":\"sk_live\",\"permissions\":[\"hello:read\"]}").json();
        String key = k.get("key").asText(), laterKey = later.get("key").asText(), id = k.get("keyId").asText();
        assertEquals(200, hello(b, key).status());
        assertEquals(200, hello(b, laterKey).status());
        // A row written by something that is not this library: B cannot read it back into a key.
        long seq;
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            s.executeUpdate("UPDATE keys_api_key SET ratelimits = '[{\"name\":\"r\",\"limit\":0,\"duration\":\"PT1S\"}]' WHERE id = '" + id + "'");
            var rs = s.executeQuery("UPDATE keys_change_seq SET seq = seq + 1 WHERE id = 1 RETURNING seq");
            rs.next();
            seq = rs.getLong(1);
            s.executeUpdate("INSERT INTO keys_changes (seq, key_id, digest, changed_at) SELECT " + seq + ", id, digest, now() FROM keys_api_key WHERE id = '" + id + "'");
        }
        assertEquals(200, admin(a, "POST", "/keys/" + later.get("keyId").asText() + "/revoke", "{}").status());
        b.keys().verifier().sync();
        assertEquals("REVOKED", hello(b, laterKey).json().get("code").asText(), "the change after the broken one applied");
        assertNotEquals(200, hello(b, key).status(), "the broken key's old entry does not keep serving");
        assertTrue(LOG.stream().anyMatch(l -> l.startsWith("WARNING") && l.contains(id)), "B said which key it dropped: " + LOG);
    }
}
