package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.Quota;
import dev.keys.api.QuotaPeriod;
import dev.keys.core.authz.RouteTable;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;

import static org.junit.jupiter.api.Assertions.*;

/** docs/contract.md §3 and §5 over HTTP: the request id of every problem, quota fields on passes, HEAD wherever GET. */
class RequestIdAndHeadTest {
    static JettyHarness h;
    static IssuedKey root, reader;
    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness();
        h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).routes(RouteTable.parse("GET /api/** -> documents:read")).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .servlet("/admin/v1/*", KeyAdminServlet.builder(h.keys).auditLog(h.audit).clock(h.clock).build())
                .start();
        root = h.issue(NewKey.builder("ops_live").tenant("ops").permissions(KeyAdminServlet.ADMIN));
        reader = h.issue(NewKey.builder("acme_live").tenant("acme").permissions("documents:read").quota(new Quota(100, QuotaPeriod.DAY)));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            h.assertNoLeaks();
        } finally {
            h.close();
        }
    }

    @Test
    void theRequestIdIsTheClientsXRequestIdElseTheTraceIdElseRandom() {
        Exchange given = h.get("/api/hello", "X-API-Key", "sk_live_nope", "X-Request-Id", "req-42.a_b");
        assertEquals("req-42.a_b", JettyHarness.problem(given, 401, "MALFORMED", given.json().get("title").asText()).get("requestId").asText());
        Exchange traced = h.get("/api/hello", "traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01");
        assertEquals(TRACE_ID, JettyHarness.problem(traced, 401, "MISSING", traced.json().get("title").asText()).get("requestId").asText());
        // ill-formed ids are not taken: too long, odd characters, an all-zero trace id
        Exchange bad = h.get("/api/hello", "X-Request-Id", "x".repeat(65), "traceparent", "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01");
        String random = JettyHarness.problem(bad, 401, "MISSING", bad.json().get("title").asText()).get("requestId").asText();
        assertTrue(random.matches("[0-9a-f]{32}"), random);
        Exchange odd = h.get("/api/hello", "X-Request-Id", "a b");
        assertNotEquals("a b", odd.header("X-Request-Id"));
        // the admin API: a denial, a bad body, an unknown route
        Exchange admin = h.json("POST", "/admin/v1/keys", "{\"remaining\":-1}", "Authorization", "Bearer " + root.plaintext(), "X-Request-Id", "adm-1");
        assertEquals("adm-1", JettyHarness.problem(admin, 400, "INVALID_REQUEST", "Invalid request").get("requestId").asText());
        Exchange none = h.json("GET", "/admin/v1/nothing", null, "traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01");
        assertEquals(TRACE_ID, JettyHarness.problem(none, 404, "RESOURCE_NOT_FOUND", "Not found").get("requestId").asText());
        Exchange anon = h.json("GET", "/admin/v1/keys", null, "X-Request-Id", "anon");
        assertEquals("anon", anon.header("X-Request-Id"));
        assertEquals(401, anon.status());
    }

    @Test
    void aQuotaOnlyKeyCarriesTheRateLimitFieldsWhenItPasses() {
        Exchange e = h.get("/api/hello", "X-API-Key", reader.plaintext());
        assertEquals(200, e.status(), e.body());
        assertTrue(e.header("RateLimit-Policy").startsWith("\"quota\";q=100;w="), e.header("RateLimit-Policy"));
        assertTrue(e.header("RateLimit").startsWith("\"quota\";r="), e.header("RateLimit"));
    }

    @Test
    void headAnswersWhereverGetDoes() {
        Exchange api = h.send(h.request("/api/hello").header("X-API-Key", reader.plaintext()).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, api.status());
        assertEquals("", api.body());
        String id = reader.key().id();
        Exchange key = h.send(h.request("/admin/v1/keys/" + id).header("Authorization", "Bearer " + root.plaintext())
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, key.status());
        assertEquals("", key.body());
        Exchange list = h.send(h.request("/admin/v1/keys").header("Authorization", "Bearer " + root.plaintext())
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, list.status());
        Exchange verify = h.send(h.request("/admin/v1/keys/verify").header("Authorization", "Bearer " + root.plaintext())
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(405, verify.status());
        assertEquals("POST", verify.header("Allow"));
        Exchange options = h.send(h.request("/admin/v1/keys/" + id).header("Authorization", "Bearer " + root.plaintext())
                .method("PUT", HttpRequest.BodyPublishers.noBody()).build());
        assertTrue(options.header("Allow").contains("HEAD"), options.header("Allow"));
        JsonNode got = h.json("GET", "/admin/v1/keys/" + id, null, "Authorization", "Bearer " + root.plaintext()).json();
        assertEquals(id, got.get("keyId").asText());
    }
}
