package dev.keys.servlet;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keys.core.Keys;
import dev.keys.test.ManualClock;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryKeyStore;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the admin API's body parsing (docs/contract.md §5): the readers of {@link AdminJson} throw nothing but their
 * {@link JsonFields.Invalid}, and create and patch bodies sent through the real servlet (Jetty's in-memory
 * connector, no socket) answer 201/200 or a 4xx problem, never a 500 and never a stack trace.
 */
class AdminJsonFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<Integer> ALLOWED = Set.of(200, 201, 400, 403, 404, 409, 413, 415);
    static final Pattern TRACE = Pattern.compile("\\bat [a-z]+\\.[a-zA-Z.$]+\\(|Exception|\\.java:\\d");
    static final List<String> CREATE = List.of("name", "ownerId", "tenant", "prefix", "environment", "roles", "permissions", "expiresAt",
            "ratelimits", "quota", "remaining", "refill", "ipAllowlist", "meta", "requiresApproval", "tier", "keyId", "status", "x");
    static final List<String> VALUES = List.of("null", "true", "0", "-1", "1", "9223372036854775807", "9223372036854775808", "1e308", "-0.0",
            "\"\"", "\" \"", "\"acme\"", "\"acme_live\"", "\"Acme\"", "\"live\"", "\"TEST\"", "\"prod\"", "\"documents:read\"", "\"keys:admin\"",
            "[]", "{}", "[null]", "[1]", "[\"documents:read\"]", "[\"keys:admin\"]", "[\"*:*\"]", "[\"superuser\"]", "[\"10.0.0.0/8\"]",
            "[\"::1\"]", "[\"300.1.1.1\"]", "[\"10.0.0.0/33\"]", "\"2027-01-01T00:00:00Z\"", "\"+999999999-12-31T23:59:59Z\"",
            "\"-999999999-01-01T00:00:00Z\"", "\"2027-13-01T00:00:00Z\"", "\"PT1S\"", "\"PT0S\"", "\"P106751991167300D\"",
            "\"PT9223372036854775807S\"", "\"-PT1S\"", "[{\"name\":\"b\",\"limit\":1,\"duration\":\"PT1S\"}]",
            "[{\"name\":\"b\",\"limit\":9223372036854775807,\"duration\":\"PT0.000000001S\",\"burst\":9223372036854775807}]",
            "[{\"name\":\"b\",\"limit\":1,\"duration\":\"PT9223372036854775807S\"}]", "[{\"name\":\"b\"},{\"name\":\"b\"}]",
            "{\"limit\":1,\"period\":\"day\"}", "{\"limit\":9223372036854775807,\"period\":\"MONTH\"}", "{\"limit\":1,\"period\":\"year\"}",
            "{\"amount\":1,\"interval\":\"PT1S\"}", "{\"amount\":9223372036854775807,\"interval\":\"PT0.000000001S\"}",
            "{\"a\":\"b\"}", "{\"\":\"b\"}", "{\"a\":1}", "\"\\u0000\"", "\"\\ud800\"");

    static final Server SERVER;
    static final LocalConnector CONNECTOR;
    static final IssuedKey ROOT, TARGET;

    static {
        try {
            Keys keys = Keys.builder().store(new InMemoryKeyStore()).clock(new ManualClock(Instant.parse("2026-03-01T12:00:00Z")))
                    .verifier(v -> v.syncInterval(Duration.ZERO)).build();
            ROOT = keys.manager().create(NewKey.builder("ops_live").tenant("ops").permissions(KeyAdminServlet.ADMIN).build(), "fuzz");
            TARGET = keys.manager().create(NewKey.builder("acme_live").tenant("acme").ownerId("app").remaining(java.util.OptionalLong.of(5)).build(), "fuzz");
            SERVER = new Server();
            CONNECTOR = new LocalConnector(SERVER);
            SERVER.addConnector(CONNECTOR);
            ServletContextHandler ctx = new ServletContextHandler();
            ctx.addServlet(new ServletHolder(KeyAdminServlet.builder(keys).build()), "/admin/v1/*");
            SERVER.setHandler(ctx);
            SERVER.start();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Every reader on arbitrary JSON. */
    @FuzzTest(maxDuration = "30s")
    void readers(byte[] input) {
        JsonNode n;
        try {
            n = JSON.readTree(input);
        } catch (Exception e) {
            return;
        }
        if (n == null) return;
        List<Runnable> readers = List.of(
                () -> AdminJson.object(n, "f"), () -> AdminJson.text(n, "f", 10), () -> AdminJson.nonBlank(n, "f", 10),
                () -> AdminJson.bool(n, "f"), () -> AdminJson.integer(n, "f", 0), () -> AdminJson.duration(n, "f", true),
                () -> AdminJson.duration(n, "f", false), () -> AdminJson.instant(n, "f"), () -> AdminJson.strings(n, "f", null, null),
                () -> AdminJson.permissions(n, "f"), () -> AdminJson.roles(n, "f"), () -> AdminJson.ipAllowlist(n, "f"),
                () -> AdminJson.meta(n, "f"), () -> AdminJson.ratelimits(n, "f"), () -> AdminJson.quota(n, "f"),
                () -> AdminJson.refill(n, "f"), () -> AdminJson.remaining(n, "f"), () -> AdminJson.environment(n, "f"),
                () -> AdminJson.prefix(n, "f"));
        for (Runnable r : readers) {
            try {
                r.run();
            } catch (JsonFields.Invalid e) {
                assertNotNull(e.getMessage());
            }
        }
    }

    /** POST /keys with bodies assembled from fields and edge values, or raw bytes. */
    @FuzzTest(maxDuration = "30s")
    void createBody(FuzzedDataProvider data) throws Exception {
        String body = data.consumeBoolean() ? assemble(data, "\"prefix\":\"acme_test\"") : data.consumeRemainingAsString();
        call("POST", "/admin/v1/keys", body);
    }

    /** PATCH /keys/{id} likewise. */
    @FuzzTest(maxDuration = "30s")
    void patchBody(FuzzedDataProvider data) throws Exception {
        String body = data.consumeBoolean() ? assemble(data, null) : data.consumeRemainingAsString();
        call("PATCH", "/admin/v1/keys/" + TARGET.key().id(), body);
    }

    /** Found by {@link #createBody}: bytes Jackson takes for UTF-32 escaped as an IOException, and Jetty answered 500. */
    @Test
    void bodiesThatLookLikeUtf32AreABadRequest() throws Exception {
        for (String body : List.of("b\0\0\0\n\n0", "\0 \0\0\0", "\0\0\0{")) {
            assertEquals(400, call("POST", "/admin/v1/keys", body));
            assertEquals(400, call("PATCH", "/admin/v1/keys/" + TARGET.key().id(), body));
        }
    }

    static String assemble(FuzzedDataProvider data, String first) {
        StringBuilder sb = new StringBuilder("{");
        if (first != null && data.consumeBoolean()) sb.append(first);
        int n = data.consumeInt(0, 8);
        for (int i = 0; i < n; i++) {
            if (sb.length() > 1) sb.append(',');
            sb.append('"').append(data.pickValue(CREATE)).append("\":");
            sb.append(data.consumeBoolean() ? data.pickValue(VALUES) : JSON.valueToTree(data.consumeString(40)).toString());
        }
        return sb.append('}').toString();
    }

    static int call(String method, String path, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer " + ROOT.plaintext()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
        byte[] req = new byte[head.length() + bytes.length];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, req, 0, head.length());
        System.arraycopy(bytes, 0, req, head.length(), bytes.length);
        java.nio.ByteBuffer res = CONNECTOR.getResponse(java.nio.ByteBuffer.wrap(req), 5, java.util.concurrent.TimeUnit.SECONDS);
        assertNotNull(res, "no answer within 5 s");
        String text = StandardCharsets.UTF_8.decode(res).toString();
        int status = Integer.parseInt(text.substring(9, 12));
        assertTrue(ALLOWED.contains(status), () -> method + " " + body + " answered " + text);
        String answer = text.substring(text.indexOf("\r\n\r\n") + 4);
        assertFalse(TRACE.matcher(answer).find(), () -> "stack trace in " + answer);
        assertFalse(answer.contains(ROOT.plaintext()), "the caller's key echoed");
        return status;
    }
}
