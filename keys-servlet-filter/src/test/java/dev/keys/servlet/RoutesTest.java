package dev.keys.servlet;

import dev.keys.servlet.harness.JettyHarness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.core.authz.Policy;
import dev.keys.servlet.PolicyLoader;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static dev.keys.servlet.harness.JettyHarness.problem;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import static org.junit.jupiter.api.Assertions.*;

/** Route requirements, path normalisation, trusted proxies and ABAC conditions, decided by the real verifier. */
class RoutesTest {
    static JettyHarness h;
    static final Policy POLICY = PolicyLoader.loadJson("""
            {"roles": {"reader": ["documents:read"], "editor": ["documents:*"]},
             "routes": [
               "GET /api/documents/** -> documents:read",
               "POST /api/documents -> documents:write",
               "* /api/internal/** -> NONE [ip 10.0.0.0/8]",
               "GET /api/live/** -> NONE [env live]",
               "GET /api/health -> NONE"],
             "trustedProxies": ["127.0.0.1"]}""");

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness(POLICY.roles());
        h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).policy(POLICY).build())
                .filter("/direct/*", ApiKeyFilter.builder(h.keys.verifier()).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .servlet("/direct/*", new JettyHarness.EchoServlet())
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            h.assertNoLeaks();
        } finally {
            h.close();
        }
    }

    static IssuedKey reader() {
        return h.issue(NewKey.builder("sk_test").roles(Set.of("reader")));
    }

    @Test
    void theRoutesRequirementDecides() {
        IssuedKey r = reader();
        assertEquals(200, h.get("/api/documents/42", "X-API-Key", r.plaintext()).status());
        assertEquals(200, h.get("/api/health", "X-API-Key", r.plaintext()).status());
        Exchange post = h.json("POST", "/api/documents", "{}", "X-API-Key", r.plaintext());
        JsonNode b = problem(post, 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        assertEquals("missing permission documents:write", b.get("detail").asText());
        assertEquals("Bearer realm=\"api\", error=\"insufficient_scope\"", post.header("WWW-Authenticate"));
        IssuedKey editor = h.issue(NewKey.builder("sk_test").roles(Set.of("editor")));
        assertEquals(200, h.json("POST", "/api/documents", "{}", "X-API-Key", editor.plaintext()).status());
        IssuedKey direct = h.issue(NewKey.builder("sk_test").permissions("documents:write"));
        assertEquals(200, h.json("POST", "/api/documents", "{}", "X-API-Key", direct.plaintext()).status());
    }

    @Test
    void anUnmatchedRouteIsDeniedOnceTheKeyIsAuthenticated() {
        IssuedKey r = reader();
        Exchange e = h.get("/api/elsewhere", "X-API-Key", r.plaintext());
        JsonNode b = problem(e, 403, "FORBIDDEN", "Forbidden");
        assertEquals("no route allows this request", b.get("detail").asText());
        assertNull(e.header("WWW-Authenticate"));
        problem(h.get("/api/elsewhere"), 401, "MISSING", "Missing credential");
        problem(h.get("/api/elsewhere", "X-API-Key", "nope"), 401, "MALFORMED", "Malformed credential");
        h.keys.manager().revoke(r.key().id(), "system", java.util.Optional.empty());
        problem(h.get("/api/elsewhere", "X-API-Key", r.plaintext()), 401, "REVOKED", "Revoked key");
    }

    @Test
    void noSpellingOfAPathSlipsPastItsRule() {
        IssuedKey r = reader();
        // reaches /api/internal, which needs a 10/8 client, not the documents rule
        for (String path : List.of("/api/documents/../internal/x", "/api/documents/%2e%2e/internal/x", "/api/documents/..;x=1/internal/x")) {
            Exchange e = h.get(path, "X-API-Key", r.plaintext());
            assertTrue(e.status() == 403 || e.status() == 400, path + " -> " + e.status() + " " + e.body());
            if (e.status() == 403) assertEquals("FORBIDDEN", e.json().get("code").asText(), path);
        }
        // other spellings of the same documents path still match it
        assertEquals(200, h.get("/api/documents;jsessionid=1/42", "X-API-Key", r.plaintext()).status());
        assertEquals(200, h.get("/api/%64ocuments/42", "X-API-Key", r.plaintext()).status());
        // a path the normaliser refuses (an encoded ';' could hide a path parameter)
        Exchange bad = h.get("/api/documents/a%3Bb", "X-API-Key", r.plaintext());
        JsonNode b = problem(bad, 400, "INVALID_REQUEST", "Invalid request");
        assertTrue(b.get("detail").asText().startsWith("the request path is not acceptable: "), b.get("detail").asText());
        // double encoding never gets that far: Jetty refuses it itself
        assertEquals(400, h.get("/api/documents/%252e%252e/internal/x", "X-API-Key", r.plaintext()).status());
    }

    @Test
    void routeConditionsSeeTheClientThroughTrustedProxiesOnly() {
        IssuedKey r = reader();
        Exchange direct = h.get("/api/internal/x", "X-API-Key", r.plaintext());
        JsonNode b = problem(direct, 403, "FORBIDDEN", "Forbidden");
        assertEquals("route condition failed: ip 10.0.0.0/8", b.get("detail").asText());
        assertEquals(200, h.get("/api/internal/x", "X-API-Key", r.plaintext(), "X-Forwarded-For", "10.1.2.3").status());
        // the rightmost untrusted hop counts, not what the client wrote on the left
        problem(h.get("/api/internal/x", "X-API-Key", r.plaintext(), "X-Forwarded-For", "10.1.2.3, 192.0.2.7"), 403, "FORBIDDEN", "Forbidden");
    }

    @Test
    void aKeysOwnAllowlistIsChecked() {
        IssuedKey k = h.issue(NewKey.builder("sk_test").roles(Set.of("reader")).ipAllowlist(List.of("10.0.0.0/8")));
        JsonNode b = problem(h.get("/api/documents/1", "X-API-Key", k.plaintext()), 403, "FORBIDDEN", "Forbidden");
        assertEquals("key condition failed: ip 10.0.0.0/8", b.get("detail").asText());
        assertEquals(200, h.get("/api/documents/1", "X-API-Key", k.plaintext(), "X-Forwarded-For", "10.9.9.9").status());
        // a filter that trusts no proxy ignores X-Forwarded-For
        problem(h.get("/direct/x", "X-API-Key", k.plaintext(), "X-Forwarded-For", "10.9.9.9"), 403, "FORBIDDEN", "Forbidden");
    }

    @Test
    void environmentConditions() {
        IssuedKey test = h.issue(NewKey.builder("sk_test").environment(dev.keys.api.Environment.TEST));
        IssuedKey live = h.issue(NewKey.builder("sk_live").environment(dev.keys.api.Environment.LIVE));
        problem(h.get("/api/live/x", "X-API-Key", test.plaintext()), 403, "FORBIDDEN", "Forbidden");
        assertEquals(200, h.get("/api/live/x", "X-API-Key", live.plaintext()).status());
    }
}
