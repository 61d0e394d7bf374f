package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.Environment;
import dev.keys.core.authz.Roles;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import org.junit.jupiter.api.AfterAll;
import dev.keys.core.lifecycle.AdminPolicy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

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
        // acme's managers may grant what these calls add (the ceilings themselves are TenantCeilingsTest's).
        KeyAdminServlet admin = KeyAdminServlet.builder(h.keys).roles(ROLES).policy(AdminPolicy.builder(ROLES)
                        .ceiling("acme", Set.of("documents:*", "billing:read"), Set.of("reader", "writer")).build())
                .auditLog(h.audit).usageLog(h.usage).clock(h.clock)
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

    static String newKey(String body) {
        return ok(call(acme, "POST", "/keys", body), 201).get("keyId").asText();
    }

    @Test
    void creditsAreSetIncrementedAndDecrementedAndAudited() {
        JsonNode k = ok(call(acme, "POST", "/keys", "{\"remaining\":3}"), 201);
        String id = k.get("keyId").asText(), key = k.get("key").asText();
        assertEquals(200, h.get("/api/hello", "X-API-Key", key).status());
        JsonNode r = ok(call(acme, "POST", "/keys/" + id + "/remaining", "{\"op\":\"increment\",\"value\":5}"), 200);
        assertEquals("{\"keyId\":\"" + id + "\",\"remaining\":7}", r.toString());
        assertEquals(4, ok(call(acme, "POST", "/keys/" + id + "/remaining", "{\"op\":\"DECREMENT\",\"value\":3}"), 200).get("remaining").asInt());
        JettyHarness.problem(call(acme, "POST", "/keys/" + id + "/remaining", "{\"op\":\"decrement\",\"value\":5}"), 409, "CONFLICT", "Conflict");
        assertEquals(1, ok(call(acme, "POST", "/keys/" + id + "/remaining", "{\"op\":\"set\",\"value\":1}"), 200).get("remaining").asInt());
        assertEquals(200, h.get("/api/hello", "X-API-Key", key).status());
        assertEquals(429, h.get("/api/hello", "X-API-Key", key).status());
        JsonNode bad = JettyHarness.problem(call(acme, "POST", "/keys/" + id + "/remaining", "{\"op\":\"double\",\"value\":-1}"), 400,
                "INVALID_REQUEST", "Invalid request");
        assertEquals(2, bad.get("errors").size());
        JettyHarness.problem(call(acme, "POST", "/keys/" + newKey("{}") + "/remaining", "{\"op\":\"increment\",\"value\":1}"), 409, "CONFLICT", "Conflict");
        JettyHarness.problem(call(acme, "POST", "/keys/" + root.key().id() + "/remaining", "{\"op\":\"set\",\"value\":1}"), 404,
                "RESOURCE_NOT_FOUND", "Not found");
        JsonNode audit = ok(call(root, "GET", "/audit?keyId=" + id, null), 200).get("items");
        assertEquals(List.of("credits", "credits", "credits", "create"), audit.findValuesAsText("action"));
        assertEquals("decrement by 3", audit.get(1).get("reason").asText());
    }

    @Test
    void singleGrantsAreAddedAndRemovedWithoutReplacingTheSet() {
        String id = newKey("{\"permissions\":[\"documents:read\",\"billing:read\"],\"roles\":[\"reader\"]}");
        JsonNode k = ok(call(acme, "POST", "/keys/" + id + "/permissions", "{\"add\":[\"documents:write\"],\"remove\":[\"billing:read\"]}"), 200);
        assertEquals("[\"documents:read\",\"documents:write\"]", k.get("permissions").toString());
        k = ok(call(acme, "POST", "/keys/" + id + "/roles", "{\"add\":[\"writer\"]}"), 200);
        assertEquals("[\"reader\",\"writer\"]", k.get("roles").toString());
        k = ok(call(acme, "POST", "/keys/" + id + "/roles", "{\"remove\":[\"reader\",\"absent\"]}"), 200);
        assertEquals("[\"writer\"]", k.get("roles").toString());
        JettyHarness.problem(call(acme, "POST", "/keys/" + id + "/permissions", "{\"add\":[\"keys:admin\"]}"), 403,
                "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        JettyHarness.problem(call(acme, "POST", "/keys/" + id + "/permissions", "{\"add\":[\"nope\"],\"grant\":1}"), 400, "INVALID_REQUEST", "Invalid request");
        JettyHarness.problem(call(acme, "POST", "/keys/" + id + "/roles", "{\"add\":[\"a\"],\"remove\":[\"a\"]}"), 400, "INVALID_REQUEST", "Invalid request");
        JsonNode audit = ok(call(root, "GET", "/audit?keyId=" + id, null), 200).get("items");
        assertEquals("[\"[billing:read, documents:read]\",\"[documents:read, documents:write]\"]",
                audit.get(2).get("changes").get("permissions").toString());
    }

    @Test
    void anErasedKeyIsGoneAndTheAuditKeepsWhoErasedIt() {
        JsonNode k = ok(call(acme, "POST", "/keys", "{\"ownerId\":\"gone\"}"), 201);
        String id = k.get("keyId").asText(), key = k.get("key").asText();
        assertEquals(200, h.get("/api/hello", "X-API-Key", key).status());
        Exchange e = call(acme, "DELETE", "/keys/" + id, null);
        assertEquals(204, e.status(), e.body());
        assertEquals("", e.body());
        assertTrue(h.keys.store().findById(id).isEmpty());
        assertEquals(401, h.get("/api/hello", "X-API-Key", key).status(), "from the very next request");
        JettyHarness.problem(call(acme, "GET", "/keys/" + id, null), 404, "RESOURCE_NOT_FOUND", "Not found");
        JettyHarness.problem(call(acme, "DELETE", "/keys/" + id, null), 404, "RESOURCE_NOT_FOUND", "Not found");
        JettyHarness.problem(call(acme, "DELETE", "/keys/" + root.key().id(), null), 404, "RESOURCE_NOT_FOUND", "Not found");
        JsonNode audit = ok(call(root, "GET", "/audit?keyId=" + id, null), 200).get("items");
        assertEquals("erase", audit.get(0).get("action").asText());
        assertEquals(acme.key().id(), audit.get(0).get("actor").asText());
        assertEquals("[\"gone\",\"\"]", audit.get(0).get("changes").get("ownerId").toString());
        assertFalse(audit.toString().contains(key));
    }

    @Test
    void aBulkImportTakesPlaintextAndSha256KeysOnceEachAndReportsEveryBadItem() throws Exception {
        String plainKey = new KeyFormat(new java.security.SecureRandom()).generate("legacy");
        String hashedKey = new KeyFormat(new java.security.SecureRandom()).generate("legacy");
        String hex = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(hashedKey.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        String body = "{\"keys\":[{\"key\":\"" + plainKey + "\",\"externalId\":\"u-1\",\"prefix\":\"legacy\",\"ownerId\":\"cust-1\"},"
                + "{\"sha256\":\"" + hex.toUpperCase() + "\",\"externalId\":\"u-2\",\"prefix\":\"legacy\",\"permissions\":[\"documents:read\"]},"
                + "{\"externalId\":\"u-3\",\"remaining\":\"x\"},"
                + "{\"key\":\"short\",\"externalId\":\"u-4\"},"
                + "7]}";
        int audit = h.audit.size();
        JsonNode r = ok(call(acme, "POST", "/keys/import", body), 200);
        assertEquals(2, r.get("imported").asInt(), r.toString());
        assertEquals(0, r.get("skipped").asInt());
        assertEquals("[{\"index\":2,\"field\":\"key\",\"detail\":\"key or sha256 is required\"},"
                + "{\"index\":2,\"field\":\"remaining\",\"detail\":\"must be an integer\"},"
                + "{\"index\":3,\"field\":\"key\",\"detail\":\"an imported key must be 16 to 256 characters long\"},"
                + "{\"index\":4,\"field\":\"item\",\"detail\":\"must be an object\"}]", r.get("errors").toString());
        assertEquals(audit + 2, h.audit.size(), "each imported key is audited");
        assertEquals(200, h.get("/api/hello", "X-API-Key", plainKey).status());
        assertEquals(200, h.get("/api/hello", "X-API-Key", hashedKey).status());
        JsonNode again = ok(call(acme, "POST", "/keys/import", body), 200);
        assertEquals(0, again.get("imported").asInt());
        assertEquals(2, again.get("skipped").asInt(), "idempotent by externalId");
        assertFalse(r.toString().contains(plainKey) || again.toString().contains(plainKey));
        JsonNode listed = ok(call(acme, "GET", "/keys?ownerId=cust-1", null), 200).get("items");
        assertEquals("acme", listed.get(0).get("tenant").asText());
        StringBuilder many = new StringBuilder("{\"keys\":[");
        for (int i = 0; i <= 1000; i++) many.append(i == 0 ? "{}" : ",{}");
        JettyHarness.problem(call(acme, "POST", "/keys/import", many + "]}"), 400, "INVALID_REQUEST", "Invalid request");
        JettyHarness.problem(call(acme, "POST", "/keys/import", "{\"keys\":[{\"key\":\"" + plainKey + "\"}],\"x\":1}"), 400,
                "INVALID_REQUEST", "Invalid request");
    }

    @Test
    void aBadDefaultPrefixIsRefusedWhenConfigured() {
        assertThrows(IllegalArgumentException.class, () -> KeyAdminServlet.builder(h.keys).defaultPrefix(Environment.LIVE, "Bad-"));
    }
}
