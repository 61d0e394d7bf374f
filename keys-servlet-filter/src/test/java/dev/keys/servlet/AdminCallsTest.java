package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.Environment;
import dev.keys.core.authz.Roles;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The admin calls of issue 17 over real HTTP: defaults, credits, single grants, erasure, import. */
class AdminCallsTest {
    static JettyHarness h;
    static IssuedKey root, acme;
    static final String BASE = "/admin/v1";
    static final Roles ROLES = Roles.builder().role("reader", List.of("documents:read")).role("writer", List.of("documents:write")).build();

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness(ROLES);
        KeyAdminServlet admin = KeyAdminServlet.builder(h.keys).roles(ROLES).auditLog(h.audit).usageLog(h.usage).clock(h.clock)
                .defaultPrefix(Environment.TEST, "acme_test").build();
        h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .servlet(BASE + "/*", admin)
                .start();
        root = h.issue(NewKey.builder("ops_live").tenant("ops").ownerId("root").permissions(KeyAdminServlet.ADMIN));
        acme = h.issue(NewKey.builder("acme_live").tenant("acme").ownerId("acme-admin").permissions(KeyAdminServlet.MANAGE));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            h.assertNoLeaks();
        } finally {
            h.close();
        }
    }

    static Exchange call(IssuedKey caller, String method, String path, String body) {
        return h.json(method, BASE + path, body, "Authorization", "Bearer " + caller.plaintext());
    }

    static JsonNode ok(Exchange e, int status) {
        assertEquals(status, e.status(), e.body());
        return e.json();
    }

    @Test
    void aKeyWithoutPrefixTakesTheConfiguredDefaultOfItsEnvironment() {
        JsonNode live = ok(call(acme, "POST", "/keys", "{\"name\":\"x\"}"), 201);
        assertEquals("sk_live", live.get("prefix").asText());
        assertTrue(live.get("key").asText().startsWith("sk_live_"));
        assertEquals(200, h.get("/api/hello", "X-API-Key", live.get("key").asText()).status());
        JsonNode test = ok(call(acme, "POST", "/keys", "{\"environment\":\"TEST\"}"), 201);
        assertEquals("acme_test", test.get("prefix").asText());
        assertEquals("test", test.get("environment").asText());
        assertEquals("acme_live", ok(call(acme, "POST", "/keys", "{\"prefix\":\"acme_live\"}"), 201).get("prefix").asText());
        assertEquals(401, h.get("/api/hello", "X-API-Key", "sk_live_nope").status());
    }

    @Test
    void aBadBodyListsEveryInvalidFieldAndTheDetailNamesTheFirst() {
        int before = h.audit.size();
        Exchange e = call(acme, "POST", "/keys", "{\"name\":\"x\",\"remaining\":\"lots\",\"expiresAt\":\"tomorrow\",\"colour\":1}");
        JsonNode b = JettyHarness.problem(e, 400, "INVALID_REQUEST", "Invalid request");
        assertEquals("colour: unknown field", b.get("detail").asText());
        assertEquals("[{\"field\":\"colour\",\"detail\":\"unknown field\"},{\"field\":\"expiresAt\",\"detail\":\"not an RFC 3339 date-time\"},"
                + "{\"field\":\"remaining\",\"detail\":\"must be an integer\"}]", b.get("errors").toString());
        String id = ok(call(acme, "POST", "/keys", "{}"), 201).get("keyId").asText();
        JsonNode p = JettyHarness.problem(call(acme, "PATCH", "/keys/" + id, "{\"tenant\":\"x\",\"remaining\":-1,\"roles\":\"reader\"}"),
                400, "INVALID_REQUEST", "Invalid request");
        assertEquals(3, p.get("errors").size(), p.toString());
        assertEquals("tenant: cannot be changed", p.get("detail").asText());
        assertEquals(before + 1, h.audit.size(), "only the valid create wrote");
    }

    @Test
    void aBadDefaultPrefixIsRefusedWhenConfigured() {
        assertThrows(IllegalArgumentException.class, () -> KeyAdminServlet.builder(h.keys).defaultPrefix(Environment.LIVE, "Bad-"));
    }
}
