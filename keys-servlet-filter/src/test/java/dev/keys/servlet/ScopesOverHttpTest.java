package dev.keys.servlet;

import dev.keys.servlet.harness.JettyHarness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.RateLimit;
import dev.keys.core.authz.Roles;
import dev.keys.core.lifecycle.ClientManager;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryClientStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.keys.servlet.harness.JettyHarness.problem;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import static org.junit.jupiter.api.Assertions.*;

/** {@code ratelimits[].scope} (docs/contract.md §5) through the admin API, and an owner-wide bucket enforced over HTTP. */
class ScopesOverHttpTest {
    static JettyHarness h;
    static IssuedKey root;
    static ClientManager clients;

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness(Roles.builder().build());
        clients = ClientManager.builder(new InMemoryClientStore()).clock(h.clock).build();
        h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .servlet("/admin/*", KeyAdminServlet.builder(h.keys).clients(clients).clock(h.clock).build())
                .start();
        root = h.issue(NewKey.builder("ops_live").tenant("ops").ownerId("root").permissions(KeyAdminServlet.ADMIN));
    }

    @AfterAll
    static void stop() throws Exception {
        // One denial for certain, whatever order the tests ran in: the leak check also proves the log was captured.
        assertEquals(401, h.get("/api/x").status());
        h.closeAfterLeakCheck();
    }

    static Exchange call(String method, String path, String body) {
        return h.json(method, "/admin" + path, body, "Authorization", "Bearer " + root.plaintext());
    }

    static JsonNode ok(Exchange e, int status) {
        assertEquals(status, e.status(), e.body());
        return e.json();
    }

    @Test
    void aKeysScopeIsReadInAnyCaseWrittenInLowerCaseAndChangedByPatch() {
        JsonNode k = ok(call("POST", "/keys", """
                {"prefix":"sk_live","tenant":"acme","ownerId":"cust-1","ratelimits":[
                 {"name":"burst","limit":10,"duration":"PT1S"},
                 {"name":"sustained","limit":5,"duration":"PT1H","scope":"Owner"},
                 {"name":"fleet","limit":100,"duration":"PT1M","scope":"TENANT"},
                 {"name":"own","limit":7,"duration":"PT1M","scope":"key"}]}"""), 201);
        String id = k.get("keyId").asText();
        assertEquals("[{\"name\":\"burst\",\"limit\":10,\"duration\":\"PT1S\"},"
                + "{\"name\":\"sustained\",\"limit\":5,\"duration\":\"PT1H\",\"scope\":\"owner\"},"
                + "{\"name\":\"fleet\",\"limit\":100,\"duration\":\"PT1M\",\"scope\":\"tenant\"},"
                + "{\"name\":\"own\",\"limit\":7,\"duration\":\"PT1M\"}]", k.get("ratelimits").toString());
        assertEquals(List.of(RateLimit.Scope.KEY, RateLimit.Scope.OWNER, RateLimit.Scope.TENANT, RateLimit.Scope.KEY),
                h.keys.store().findById(id).orElseThrow().ratelimits().stream().map(RateLimit::scope).toList());
        assertEquals(k.get("ratelimits"), ok(call("GET", "/keys/" + id, null), 200).get("ratelimits"));

        JsonNode p = ok(call("PATCH", "/keys/" + id, "{\"ratelimits\":[{\"name\":\"sustained\",\"limit\":5,\"duration\":\"PT1H\",\"scope\":\"tenant\"}]}"), 200);
        assertEquals("[{\"name\":\"sustained\",\"limit\":5,\"duration\":\"PT1H\",\"scope\":\"tenant\"}]", p.get("ratelimits").toString());
    }

    @Test
    void aBadScopeAnswers400NamingTheFieldOnCreateAndPatch() {
        for (String bad : List.of("\"fleet\"", "1", "\"\"", "[\"owner\"]")) {
            String limits = "[{\"name\":\"b\",\"limit\":1,\"duration\":\"PT1S\"},{\"name\":\"s\",\"limit\":1,\"duration\":\"PT1S\",\"scope\":" + bad + "}]";
            Exchange e = call("POST", "/keys", "{\"prefix\":\"sk_live\",\"ratelimits\":" + limits + "}");
            JsonNode b = problem(e, 400, "INVALID_REQUEST", "Invalid request");
            assertTrue(b.get("detail").asText().startsWith("ratelimits[1].scope: "), b.get("detail").asText());
            assertFalse(b.get("detail").asText().contains("fleet"), "the value is not echoed");
            String id = h.issue(NewKey.builder("sk_live")).key().id();
            problem(call("PATCH", "/keys/" + id, "{\"ratelimits\":" + limits + "}"), 400, "INVALID_REQUEST", "Invalid request");
            problem(call("POST", "/clients", "{\"name\":\"c\",\"tenant\":\"acme\",\"ratelimits\":" + limits + "}"), 400, "INVALID_REQUEST", "Invalid request");
        }
        JsonNode b = problem(call("POST", "/keys", "{\"prefix\":\"sk_live\",\"ratelimits\":[{\"name\":\"s\",\"limit\":1,\"duration\":\"PT1S\",\"scope\":\"fleet\"}]}"),
                400, "INVALID_REQUEST", "Invalid request");
        assertEquals("ratelimits[0].scope: must be key, owner or tenant", b.get("detail").asText());
    }

    @Test
    void aClientsScopeIsWrittenAndRead() {
        JsonNode c = ok(call("POST", "/clients", "{\"name\":\"export\",\"tenant\":\"acme\",\"ratelimits\":[{\"name\":\"s\",\"limit\":5,\"duration\":\"PT1H\",\"scope\":\"OWNER\"}]}"), 201);
        String id = c.get("clientId").asText();
        assertEquals(RateLimit.Scope.OWNER, clients.get(id).orElseThrow().ratelimits().get(0).scope());
        JsonNode got = ok(call("GET", "/clients/" + id, null), 200);
        assertEquals("[{\"name\":\"s\",\"limit\":5,\"duration\":\"PT1H\",\"scope\":\"owner\"}]", got.get("ratelimits").toString());
        JsonNode p = ok(call("PATCH", "/clients/" + id, "{\"ratelimits\":[{\"name\":\"s\",\"limit\":5,\"duration\":\"PT1H\",\"scope\":\"tenant\"}]}"), 200);
        assertEquals("[{\"name\":\"s\",\"limit\":5,\"duration\":\"PT1H\",\"scope\":\"tenant\"}]", p.get("ratelimits").toString());
    }

    @Test
    void twoKeysOfOneOwnerShareAnOwnerWideLimitOverHttp() {
        String body = "{\"prefix\":\"sk_live\",\"tenant\":\"shared\",\"ownerId\":\"cust-9\",\"ratelimits\":[{\"name\":\"sustained\",\"limit\":3,\"duration\":\"PT1H\",\"scope\":\"owner\"}]}";
        String a = ok(call("POST", "/keys", body), 201).get("key").asText();
        String b = ok(call("POST", "/keys", body), 201).get("key").asText();
        assertEquals(200, h.get("/api/x", "X-API-Key", a).status());
        assertEquals(200, h.get("/api/x", "X-API-Key", b).status());
        assertEquals(200, h.get("/api/x", "X-API-Key", a).status());
        Exchange denied = h.get("/api/x", "X-API-Key", b);
        problem(denied, 429, "RATE_LIMITED", "Rate limit exceeded");
        assertNotNull(denied.header("Retry-After"));
    }
}
