package dev.keys.servlet;

import dev.keys.servlet.harness.JettyHarness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.api.ApiKey;
import dev.keys.api.KeyQuery;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimitReport;
import dev.keys.api.Verification;
import dev.keys.core.verify.CredentialVerifier;
import dev.keys.core.authz.Roles;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.keys.servlet.harness.JettyHarness.fieldNames;
import static dev.keys.servlet.harness.JettyHarness.problem;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import static org.junit.jupiter.api.Assertions.*;

/** The admin API over real HTTP: every call, tenant confinement, escalation, validation and atomicity. */
class KeyAdminServletTest {
    static JettyHarness h;
    static IssuedKey root, acme, globex, plain;
    static final String BASE = "/admin/v1";
    static final Roles ROLES = Roles.builder().role("superuser", List.of("keys:admin")).role("reader", List.of("documents:read"))
            .role("writer", List.of("documents:write")).build();
    /** What acme's managers may grant here (the ceilings themselves are TenantCeilingsTest's). */
    static final AdminPolicy POLICY = AdminPolicy.builder(ROLES)
            .ceiling("acme", Set.of("documents:*", "billing:read", "keys:manage"), Set.of("reader", "writer")).build();
    static final Set<String> KEY_FIELDS = new TreeSet<>(List.of("keyId", "start", "name", "ownerId", "tenant", "prefix", "environment",
            "status", "roles", "permissions", "expiresAt", "ratelimits", "quota", "remaining", "refill", "ipAllowlist", "meta", "tier",
            "createdAt", "updatedAt", "rotatedTo", "version"));

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness(ROLES);
        KeyAdminServlet admin = KeyAdminServlet.builder(h.keys).policy(POLICY).auditLog(h.audit).usageLog(h.usage).clock(h.clock).build();
        h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .servlet(BASE + "/*", admin)
                .filter("/guarded/v1/*", ApiKeyFilter.builder(h.keys.verifier()).build())
                .servlet("/guarded/v1/*", KeyAdminServlet.builder(h.keys).build())
                .servlet("/tokens/v1/*", KeyAdminServlet.builder(h.keys).roles(ROLES).auditLog(h.audit).callers(TOKENS).build())
                .start();
        root = h.issue(NewKey.builder("ops_live").tenant("ops").ownerId("root").permissions(KeyAdminServlet.ADMIN));
        acme = h.issue(NewKey.builder("acme_live").tenant("acme").ownerId("acme-admin").permissions(KeyAdminServlet.MANAGE));
        globex = h.issue(NewKey.builder("globex_live").tenant("globex").ownerId("globex-admin").permissions(KeyAdminServlet.MANAGE));
        plain = h.issue(NewKey.builder("acme_live").tenant("acme").ownerId("app").permissions("documents:read"));
    }

    /** A caller verifier of another kind: one opaque token that stands for the root key. */
    static final CredentialVerifier TOKENS = (credential, ctx, requirement) -> "token-of-root".contentEquals(credential)
            ? new Verification.Valid(root.key(), RateLimitReport.NONE) : new Verification.Denied(Outcome.NOT_FOUND, "unknown token");

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

    static Exchange create(IssuedKey caller, String body) {
        return call(caller, "POST", "/keys", body);
    }

    static void badRequest(Exchange e, String detail) {
        JsonNode b = problem(e, 400, "INVALID_REQUEST", "Invalid request");
        assertEquals(detail, b.get("detail").asText());
    }

    static JsonNode ok(Exchange e, int status) {
        assertEquals(status, e.status(), e.body());
        assertTrue(e.header("Content-Type").startsWith("application/json"), e.header("Content-Type"));
        assertEquals("no-store", e.header("Cache-Control"));
        return e.json();
    }

    static String newAcmeKey(String extra) {
        Exchange e = create(acme, "{\"prefix\":\"acme_test\",\"ownerId\":\"app\"" + extra + "}");
        return ok(e, 201).get("keyId").asText();
    }

    /** Everything a failed call must leave alone. */
    record Snapshot(List<ApiKey> keys, int audit) {
        static Snapshot take() {
            return new Snapshot(h.keys.store().list(KeyQuery.all(1000)).items(), h.audit.size());
        }
    }

    @Test
    void createAnswersTheKeyOnceAndItWorksAtOnce() {
        String body = """
                {"name":"reporting","ownerId":"cust-42","tenant":"acme","prefix":"acme_test","environment":"TEST",
                 "roles":["reader"],"permissions":["documents:read","billing:read"],"expiresAt":"2027-01-01T00:00:00+01:00",
                 "ratelimits":[{"name":"burst","limit":100,"duration":"PT1S"},{"name":"sustained","limit":1000,"duration":"PT1M","burst":1200}],
                 "quota":{"limit":10000,"period":"month"},"remaining":500,"refill":{"amount":500,"interval":"P1D"},
                 "ipAllowlist":["10.0.0.0/8","2001:db8::/32","127.0.0.1"],"meta":{"plan":"pro"},"requiresApproval":false,"tier":"pro"}""";
        Exchange e = create(root, body);
        JsonNode k = ok(e, 201);
        String plaintext = k.get("key").asText();
        assertTrue(KeyFormat.isWellFormed(plaintext));
        assertTrue(plaintext.startsWith("acme_test_"));
        Set<String> expected = new TreeSet<>(KEY_FIELDS);
        expected.add("key");
        assertEquals(expected, fieldNames(k));
        assertEquals(BASE + "/keys/" + k.get("keyId").asText(), e.header("Location"));
        assertEquals(plaintext.substring(10, 14), k.get("start").asText());
        assertEquals("reporting", k.get("name").asText());
        assertEquals("cust-42", k.get("ownerId").asText());
        assertEquals("acme", k.get("tenant").asText());
        assertEquals("test", k.get("environment").asText());
        assertEquals("active", k.get("status").asText());
        assertEquals("[\"billing:read\",\"documents:read\"]", k.get("permissions").toString());
        assertEquals("2026-12-31T23:00:00Z", k.get("expiresAt").asText());
        assertEquals("[{\"name\":\"burst\",\"limit\":100,\"duration\":\"PT1S\"},{\"name\":\"sustained\",\"limit\":1000,\"duration\":\"PT1M\",\"burst\":1200}]",
                k.get("ratelimits").toString());
        assertEquals("{\"limit\":10000,\"period\":\"MONTH\"}", k.get("quota").toString());
        assertEquals(500, k.get("remaining").asLong());
        assertEquals("{\"amount\":500,\"interval\":\"PT24H\"}", k.get("refill").toString());
        assertEquals("[\"10.0.0.0/8\",\"2001:db8::/32\",\"127.0.0.1\"]", k.get("ipAllowlist").toString());
        assertEquals("{\"plan\":\"pro\"}", k.get("meta").toString());
        assertEquals("pro", k.get("tier").asText());
        assertEquals(1, k.get("version").asLong());

        Exchange use = h.get("/api/x", "X-API-Key", plaintext);
        assertEquals(200, use.status());
        assertTrue(use.json().get("reader").asBoolean());

        JsonNode got = ok(call(root, "GET", "/keys/" + k.get("keyId").asText(), null), 200);
        Set<String> one = new TreeSet<>(KEY_FIELDS);
        one.add("current");                                   // a single key also shows what is left now
        assertEquals(one, fieldNames(got));
        ObjectNode withoutKey = ((ObjectNode) k.deepCopy());
        withoutKey.remove("key");
        assertEquals("{\"remaining\":499,\"quotaRemaining\":9999}", ((ObjectNode) got).remove("current").toString(), "one use taken");
        assertEquals(withoutKey, got);
    }

    @Test
    void aManagerCreatesInItsOwnTenantByDefault() {
        JsonNode k = ok(create(acme, "{\"prefix\":\"acme_live\"}"), 201);
        assertEquals("acme", k.get("tenant").asText());
        assertEquals("live", k.get("environment").asText());
        assertTrue(k.get("expiresAt").isNull());
        assertTrue(k.get("quota").isNull());
    }

    @Test
    void listPagesThroughATenantWithACursor() {
        for (int i = 0; i < 3; i++) ok(create(root, "{\"prefix\":\"pager\",\"tenant\":\"paged\",\"ownerId\":\"o" + i + "\"}"), 201);
        JsonNode first = ok(call(root, "GET", "/keys?tenant=paged&limit=2", null), 200);
        assertEquals(2, first.get("items").size());
        assertFalse(first.get("nextCursor").isNull());
        JsonNode second = ok(call(root, "GET", "/keys?tenant=paged&limit=2&cursor=" + first.get("nextCursor").asText(), null), 200);
        assertEquals(1, second.get("items").size());
        assertTrue(second.get("nextCursor").isNull());
        for (JsonNode item : first.get("items")) assertEquals(KEY_FIELDS, fieldNames(item));
        JsonNode owner = ok(call(root, "GET", "/keys?tenant=paged&ownerId=o1", null), 200);
        assertEquals(1, owner.get("items").size());
        badRequest(call(root, "GET", "/keys?limit=0", null), "limit: must be an integer from 1 to 1000");
        badRequest(call(root, "GET", "/keys?limit=x", null), "limit: must be an integer from 1 to 1000");
        badRequest(call(root, "GET", "/keys?color=red", null), "color: unknown query parameter");
        // a manager lists its own tenant only
        JsonNode mine = ok(call(acme, "GET", "/keys?limit=1000", null), 200);
        for (JsonNode item : mine.get("items")) assertEquals("acme", item.get("tenant").asText());
        problem(call(acme, "GET", "/keys?tenant=paged", null), 404, "RESOURCE_NOT_FOUND", "Not found");
    }

    /** The search and status filter reach keys on any page, the cursor going on under them, within the caller's tenant. */
    @Test
    void listFiltersByStatusAndSearchThroughEveryPage() {
        List<String> invoices = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            JsonNode k = ok(create(root, "{\"prefix\":\"pager\",\"tenant\":\"searched\",\"name\":\"" + (i % 2 == 0 ? "Invoice sync " : "other ") + i + "\"}"), 201);
            if (i % 2 == 0) invoices.add(k.get("keyId").asText());
        }
        ok(call(root, "POST", "/keys/" + invoices.get(1) + "/revoke", "{\"reason\":\"test\"}"), 200);
        List<String> seen = new ArrayList<>();
        String cursor = "";
        do {
            JsonNode page = ok(call(root, "GET", "/keys?tenant=searched&q=INVOICE&limit=1" + cursor, null), 200);
            page.get("items").forEach(k -> seen.add(k.get("keyId").asText()));
            cursor = page.get("nextCursor").isNull() ? null : "&cursor=" + page.get("nextCursor").asText();
        } while (cursor != null);
        assertEquals(invoices.stream().sorted().toList(), seen);
        JsonNode revoked = ok(call(root, "GET", "/keys?tenant=searched&status=REVOKED&q=invoice%20sync", null), 200).get("items");
        assertEquals(1, revoked.size());
        assertEquals(invoices.get(1), revoked.get(0).get("keyId").asText());
        assertEquals(2, ok(call(root, "GET", "/keys?tenant=searched&status=active&q=invoice", null), 200).get("items").size());
        assertEquals(invoices.get(2), ok(call(root, "GET", "/keys?q=" + invoices.get(2), null), 200).at("/items/0/keyId").asText(), "by exact key id");
        // A manager's search stays in its tenant.
        assertEquals(0, ok(call(acme, "GET", "/keys?q=" + invoices.get(2), null), 200).get("items").size());
        assertEquals(0, ok(call(acme, "GET", "/keys?q=invoice", null), 200).get("items").size());
        badRequest(call(root, "GET", "/keys?status=gone", null), "status: must be one of [active, disabled, revoked, pending_approval, rejected]");
        badRequest(call(root, "GET", "/keys?q=" + "x".repeat(101), null), "q: must be 1 to 100 characters");
        badRequest(call(root, "GET", "/keys?q=", null), "q: must be 1 to 100 characters");
        JsonNode both = problem(call(root, "GET", "/keys?status=gone&q=" + "x".repeat(101) + "&limit=0", null), 400, "INVALID_REQUEST", "Invalid request");
        assertEquals(3, both.get("errors").size(), both.toString());
    }

    @Test
    void patchChangesMutableFieldsFromTheNextRequest() {
        Exchange c = create(acme, "{\"prefix\":\"acme_test\",\"roles\":[\"writer\"]}");
        JsonNode k = ok(c, 201);
        String id = k.get("keyId").asText(), plaintext = k.get("key").asText();
        assertFalse(h.get("/api/x", "X-API-Key", plaintext).json().get("reader").asBoolean());
        JsonNode p = ok(call(acme, "PATCH", "/keys/" + id, "{\"roles\":[\"reader\"],\"name\":\"renamed\",\"expiresAt\":null,\"quota\":{\"limit\":5,\"period\":\"DAY\"}}"), 200);
        assertEquals("renamed", p.get("name").asText());
        assertEquals("[\"reader\"]", p.get("roles").toString());
        assertEquals(2, p.get("version").asLong());
        assertTrue(h.get("/api/x", "X-API-Key", plaintext).json().get("reader").asBoolean());
        // clearing an optional field
        assertTrue(ok(call(acme, "PATCH", "/keys/" + id, "{\"quota\":null}"), 200).get("quota").isNull());
        Snapshot before = Snapshot.take();
        badRequest(call(acme, "PATCH", "/keys/" + id, "{\"tenant\":\"globex\"}"), "tenant: cannot be changed");
        badRequest(call(acme, "PATCH", "/keys/" + id, "{\"prefix\":\"x\"}"), "prefix: cannot be changed");
        badRequest(call(acme, "PATCH", "/keys/" + id, "{\"name\":\"ok\",\"refill\":{\"amount\":1,\"interval\":\"PT1H\"}}"), "refill: refill needs remaining");
        badRequest(call(acme, "PATCH", "/keys/" + id, "{\"name\":\"ok\",\"ratelimits\":[{\"name\":\"a\",\"limit\":1,\"duration\":\"1m\"}]}"),
                "ratelimits[0].duration: not an ISO-8601 duration");
        assertEquals(before, Snapshot.take(), "a refused change writes nothing");
    }

    @Test
    void revokeFailsTheKeyFromTheNextRequestAndIsAudited() {
        JsonNode k = ok(create(acme, "{\"prefix\":\"acme_test\"}"), 201);
        String id = k.get("keyId").asText(), plaintext = k.get("key").asText();
        assertEquals(200, h.get("/api/x", "X-API-Key", plaintext).status());
        JsonNode r = ok(call(acme, "POST", "/keys/" + id + "/revoke", "{\"reason\":\"leaked in a gist\"}"), 200);
        assertEquals("revoked", r.get("status").asText());
        problem(h.get("/api/x", "X-API-Key", plaintext), 401, "REVOKED", "Revoked key");
        JsonNode audit = ok(call(acme, "GET", "/audit?keyId=" + id, null), 200);
        JsonNode newest = audit.get("items").get(0);
        assertEquals("revoke", newest.get("action").asText());
        assertEquals(acme.key().id(), newest.get("actor").asText());
        assertEquals("acme", newest.get("tenant").asText());
        assertEquals("leaked in a gist", newest.get("reason").asText());
        assertEquals("[\"ACTIVE\",\"REVOKED\"]", newest.get("changes").get("status").toString());
        assertEquals("create", audit.get("items").get(audit.get("items").size() - 1).get("action").asText());
        problem(call(acme, "POST", "/keys/" + id + "/enable", null), 409, "CONFLICT", "Conflict");
    }

    @Test
    void rotateAnswersTheNewKeyAndTheOldOneLastsItsGracePeriod() {
        JsonNode k = ok(create(acme, "{\"prefix\":\"acme_test\",\"permissions\":[\"documents:read\"]}"), 201);
        String id = k.get("keyId").asText(), oldKey = k.get("key").asText();
        Exchange e = call(acme, "POST", "/keys/" + id + "/rotate", "{\"gracePeriod\":\"PT10M\"}");
        JsonNode r = ok(e, 201);
        String newKey = r.get("key").asText();
        assertNotEquals(id, r.get("keyId").asText());
        assertEquals(id, r.get("rotatedFrom").asText());
        assertEquals("[\"documents:read\"]", r.get("permissions").toString());
        assertEquals(200, h.get("/api/x", "X-API-Key", oldKey).status());
        assertEquals(200, h.get("/api/x", "X-API-Key", newKey).status());
        assertEquals(r.get("keyId").asText(), ok(call(acme, "GET", "/keys/" + id, null), 200).get("rotatedTo").asText());
        h.clock.advance(Duration.ofMinutes(10));
        problem(h.get("/api/x", "X-API-Key", oldKey), 401, "EXPIRED", "Expired key");
        assertEquals(200, h.get("/api/x", "X-API-Key", newKey).status());
        badRequest(call(acme, "POST", "/keys/" + id + "/rotate", "{\"gracePeriod\":\"-PT1M\"}"), "gracePeriod: must not be negative");
    }

    @Test
    void approvalWorkflow() {
        // Created by an admin: a manager never approves a key it created itself (AdminDutiesTest).
        JsonNode a = ok(create(root, "{\"prefix\":\"acme_test\",\"tenant\":\"acme\",\"requiresApproval\":true}"), 201);
        JsonNode b = ok(create(acme, "{\"prefix\":\"acme_test\",\"requiresApproval\":true}"), 201);
        assertEquals("pending_approval", a.get("status").asText());
        problem(h.get("/api/x", "X-API-Key", a.get("key").asText()), 403, "NOT_APPROVED", "Key not approved");
        assertEquals("active", ok(call(acme, "POST", "/keys/" + a.get("keyId").asText() + "/approve", null), 200).get("status").asText());
        assertEquals(200, h.get("/api/x", "X-API-Key", a.get("key").asText()).status());
        assertEquals("rejected", ok(call(acme, "POST", "/keys/" + b.get("keyId").asText() + "/reject", "{\"reason\":\"no contract\"}"), 200)
                .get("status").asText());
        problem(h.get("/api/x", "X-API-Key", b.get("key").asText()), 403, "NOT_APPROVED", "Key not approved");
        badRequest(call(acme, "POST", "/keys/" + a.get("keyId").asText() + "/approve", "{\"reason\":\"x\"}"), "reason: unknown field");
    }

    @Test
    void disableAndEnable() {
        JsonNode k = ok(create(acme, "{\"prefix\":\"acme_test\"}"), 201);
        String id = k.get("keyId").asText();
        assertEquals("disabled", ok(call(acme, "POST", "/keys/" + id + "/disable", "{\"reason\":\"unpaid\"}"), 200).get("status").asText());
        problem(h.get("/api/x", "X-API-Key", k.get("key").asText()), 403, "DISABLED", "Disabled key");
        assertEquals("active", ok(call(acme, "POST", "/keys/" + id + "/enable", ""), 200).get("status").asText());
        assertEquals(200, h.get("/api/x", "X-API-Key", k.get("key").asText()).status());
    }

    @Test
    void verifyAnswersForCallersOutsideAServlet() {
        JsonNode k = ok(create(acme, "{\"prefix\":\"acme_test\",\"ownerId\":\"svc\",\"permissions\":[\"documents:read\"],\"remaining\":7}"), 201);
        String plaintext = k.get("key").asText();
        JsonNode v = ok(call(acme, "POST", "/keys/verify", "{\"key\":\"" + plaintext + "\"}"), 200);
        assertEquals(new TreeSet<>(List.of("valid", "code", "keyId", "ownerId", "tenant", "remaining", "ratelimits")), fieldNames(v));
        assertTrue(v.get("valid").asBoolean());
        assertEquals("VALID", v.get("code").asText());
        assertEquals(k.get("keyId").asText(), v.get("keyId").asText());
        assertEquals("svc", v.get("ownerId").asText());
        assertEquals("acme", v.get("tenant").asText());
        assertEquals(6, v.get("remaining").asLong(), "a verification is a use");
        assertEquals(200, h.get("/api/x", "X-API-Key", plaintext).status());
        JsonNode shown = ok(call(acme, "GET", "/keys/" + k.get("keyId").asText(), null), 200);
        assertEquals(7, shown.get("remaining").asLong(), "what the key was given");
        assertEquals(5, shown.get("current").get("remaining").asLong(), "what is left after two uses");
        assertTrue(shown.get("current").get("quotaRemaining").isNull(), "no quota");
        assertEquals("[]", v.get("ratelimits").toString());
        JsonNode perm = ok(call(acme, "POST", "/keys/verify", "{\"key\":\"" + plaintext + "\",\"permissions\":[\"billing:read\"]}"), 200);
        assertFalse(perm.get("valid").asBoolean());
        assertEquals("INSUFFICIENT_PERMISSIONS", perm.get("code").asText());
        JsonNode bad = ok(call(acme, "POST", "/keys/verify", "{\"key\":\"not-a-key\"}"), 200);
        assertFalse(bad.get("valid").asBoolean());
        assertEquals("MALFORMED", bad.get("code").asText());
        assertTrue(bad.get("keyId").isNull());
        // another tenant's key is unknown to a manager
        JsonNode other = ok(call(globex, "POST", "/keys/verify", "{\"key\":\"" + plaintext + "\"}"), 200);
        assertFalse(other.get("valid").asBoolean());
        assertEquals("NOT_FOUND", other.get("code").asText());
        assertTrue(other.get("keyId").isNull());
        assertTrue(other.get("tenant").isNull());
        badRequest(call(acme, "POST", "/keys/verify", "{}"), "key: is required");
    }

    @Test
    void usageCountsVerificationsByOutcomeAndPeriod() {
        JsonNode k = ok(create(acme, "{\"prefix\":\"acme_test\"}"), 201);
        String id = k.get("keyId").asText();
        for (int i = 0; i < 3; i++) assertEquals(200, h.get("/api/x", "X-API-Key", k.get("key").asText()).status());
        call(acme, "POST", "/keys/" + id + "/disable", null);
        h.get("/api/x", "X-API-Key", k.get("key").asText());
        String from = h.clock.instant().minusSeconds(3600).toString(), to = h.clock.instant().plusSeconds(3600).toString();
        JsonNode u = ok(call(acme, "GET", "/keys/" + id + "/usage?from=" + from + "&to=" + to + "&granularity=day", null), 200);
        assertEquals(id, u.get("keyId").asText());
        assertEquals("PT24H", u.get("granularity").asText());
        assertEquals(3, u.get("totals").get("VALID").asLong());
        assertEquals(1, u.get("totals").get("DISABLED").asLong());
        for (JsonNode c : u.get("counts")) assertEquals(Set.of("periodStart", "outcome", "count"), Set.copyOf(fieldNames(c)));
        badRequest(call(acme, "GET", "/keys/" + id + "/usage?from=yesterday", null), "from: not an RFC 3339 date-time");
        badRequest(call(acme, "GET", "/keys/" + id + "/usage?from=" + to + "&to=" + from, null), "from: must be before to");
        badRequest(call(acme, "GET", "/keys/" + id + "/usage?granularity=PT30S", null),
                "granularity: must be minute, hour, day or an ISO-8601 duration of whole minutes");
        problem(call(globex, "GET", "/keys/" + id + "/usage", null), 404, "RESOURCE_NOT_FOUND", "Not found");
    }

    @Test
    void auditPagesNewestFirstAndStaysInTheManagersTenant() {
        String id = newAcmeKey("");
        call(acme, "PATCH", "/keys/" + id, "{\"name\":\"a\"}");
        call(acme, "PATCH", "/keys/" + id, "{\"name\":\"b\"}");
        JsonNode p1 = ok(call(acme, "GET", "/audit?keyId=" + id + "&limit=2", null), 200);
        assertEquals(2, p1.get("items").size());
        assertEquals("[\"a\",\"b\"]", p1.get("items").get(0).get("changes").get("name").toString());
        assertEquals(Set.of("at", "action", "actor", "tenant", "keyId", "reason", "changes"), Set.copyOf(fieldNames(p1.get("items").get(0))));
        JsonNode p2 = ok(call(acme, "GET", "/audit?keyId=" + id + "&limit=2&cursor=" + p1.get("nextCursor").asText(), null), 200);
        assertEquals("create", p2.get("items").get(0).get("action").asText());
        assertTrue(p2.get("nextCursor").isNull());
        for (JsonNode e : ok(call(acme, "GET", "/audit?limit=1000", null), 200).get("items")) assertEquals("acme", e.get("tenant").asText());
        assertEquals(0, ok(call(globex, "GET", "/audit?keyId=" + id, null), 200).get("items").size());
        problem(call(globex, "GET", "/audit?tenant=acme", null), 404, "RESOURCE_NOT_FOUND", "Not found");
        assertTrue(ok(call(root, "GET", "/audit?tenant=acme&limit=1000", null), 200).get("items").size() >= 3);
        badRequest(call(root, "GET", "/audit?cursor=zz", null), "cursor: not a cursor this API returned");
    }

    @Test
    void anotherTenantsKeyAnswersExactlyLikeAnUnknownOne() {
        String id = newAcmeKey("");
        Snapshot before = Snapshot.take();
        List<String[]> calls = List.of(new String[] {"GET", "/keys/ID", null}, new String[] {"PATCH", "/keys/ID", "{\"name\":\"x\"}"},
                new String[] {"POST", "/keys/ID/revoke", "{}"}, new String[] {"POST", "/keys/ID/rotate", "{}"},
                new String[] {"POST", "/keys/ID/disable", null}, new String[] {"POST", "/keys/ID/enable", null},
                new String[] {"POST", "/keys/ID/approve", null}, new String[] {"POST", "/keys/ID/reject", null},
                new String[] {"GET", "/keys/ID/usage", null});
        for (String[] c : calls) {
            Exchange theirs = call(globex, c[0], c[1].replace("ID", id), c[2]);
            Exchange unknown = call(globex, c[0], c[1].replace("ID", "key_doesnotexist"), c[2]);
            JsonNode a = problem(theirs, 404, "RESOURCE_NOT_FOUND", "Not found"), b = problem(unknown, 404, "RESOURCE_NOT_FOUND", "Not found");
            ((ObjectNode) a).remove("requestId");
            ((ObjectNode) b).remove("requestId");
            assertEquals(b, a, c[0] + " " + c[1]);
        }
        assertEquals(before, Snapshot.take());
        assertEquals(200, call(root, "GET", "/keys/" + id, null).status(), "an admin sees every tenant");
    }

    @Test
    void onlyAnAdminGrantsKeysAdmin() {
        Snapshot before = Snapshot.take();
        for (String perms : List.of("[\"keys:admin\"]", "[\"keys:*\"]", "[\"*:*\"]", "[\"*:admin\"]")) {
            Exchange e = create(acme, "{\"prefix\":\"acme_test\",\"permissions\":" + perms + "}");
            JsonNode b = problem(e, 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
            assertEquals("permissions: only a keys:admin caller grants keys:admin", b.get("detail").asText());
            assertEquals("Bearer realm=\"admin\", error=\"insufficient_scope\"", e.header("WWW-Authenticate"));
        }
        problem(create(acme, "{\"prefix\":\"acme_test\",\"tenant\":\"globex\"}"), 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        String id = newAcmeKey("");
        Snapshot mid = Snapshot.take();
        problem(call(acme, "PATCH", "/keys/" + id, "{\"permissions\":[\"keys:admin\"]}"), 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        assertEquals(mid, Snapshot.take());
        assertEquals(before.audit() + 1, mid.audit());
        // a manager can grant keys:manage in its tenant when its ceiling holds it, and cannot touch an admin key there
        ok(create(acme, "{\"prefix\":\"acme_test\",\"permissions\":[\"keys:manage\"]}"), 201);
        String adminInAcme = ok(create(root, "{\"prefix\":\"acme_live\",\"tenant\":\"acme\",\"permissions\":[\"keys:admin\"]}"), 201).get("keyId").asText();
        for (String action : List.of("revoke", "rotate", "disable")) {
            problem(call(acme, "POST", "/keys/" + adminInAcme + "/" + action, null), 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        }
        assertEquals(200, call(acme, "GET", "/keys/" + adminInAcme, null).status());
    }

    @Test
    void rolesThatGrantKeysAdminCountAsKeysAdmin() {
        IssuedKey superuser = h.issue(NewKey.builder("ops_live").tenant("ops").roles(Set.of("superuser")));
        String id = newAcmeKey("");
        assertEquals(200, call(superuser, "GET", "/keys/" + id, null).status(), "a role-granted admin sees every tenant");
        Snapshot before = Snapshot.take();
        JsonNode b = problem(create(acme, "{\"prefix\":\"acme_test\",\"roles\":[\"superuser\"]}"), 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        assertEquals("roles: only a keys:admin caller grants keys:admin", b.get("detail").asText());
        b = problem(call(acme, "PATCH", "/keys/" + id, "{\"roles\":[\"reader\",\"superuser\"]}"), 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        assertEquals("roles: only a keys:admin caller grants keys:admin", b.get("detail").asText());
        assertEquals(before, Snapshot.take());
        assertEquals("[\"superuser\"]", ok(call(superuser, "PATCH", "/keys/" + id, "{\"roles\":[\"superuser\"]}"), 200).get("roles").toString());
        problem(call(acme, "POST", "/keys/" + id + "/revoke", null), 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
    }

    @Test
    void verifyChecksPermissionsThroughRolesAndConditionsWithAClientAddress() {
        JsonNode k = ok(create(acme, "{\"prefix\":\"acme_test\",\"roles\":[\"reader\"],\"ipAllowlist\":[\"10.0.0.0/8\"]}"), 201);
        String body = "{\"key\":\"" + k.get("key").asText() + "\",\"permissions\":[\"documents:read\"]";
        assertEquals("FORBIDDEN", ok(call(acme, "POST", "/keys/verify", body + "}"), 200).get("code").asText());
        JsonNode v = ok(call(acme, "POST", "/keys/verify", body + ",\"clientAddress\":\"10.1.2.3\"}"), 200);
        assertEquals("VALID", v.get("code").asText());
        assertTrue(v.get("valid").asBoolean());
        badRequest(call(acme, "POST", "/keys/verify", body + ",\"clientAddress\":\"example.com\"}"), "clientAddress: not an IP address");
    }

    @Test
    void callersNeedAKeyWithAnAdminPermission() {
        Exchange none = h.json("GET", BASE + "/keys", null);
        problem(none, 401, "MISSING", "Missing credential");
        assertEquals("Bearer realm=\"admin\"", none.header("WWW-Authenticate"));
        Exchange app = call(plain, "GET", "/keys", null);
        JsonNode b = problem(app, 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        assertEquals("missing one of: keys:admin, keys:manage, keys:read, keys:verify, keys:self", b.get("detail").asText());
        assertEquals("Bearer realm=\"admin\", error=\"insufficient_scope\"", app.header("WWW-Authenticate"));
        problem(h.json("GET", BASE + "/keys", null, "X-API-Key", root.plaintext(), "Authorization", "Bearer " + root.plaintext()),
                400, "INVALID_REQUEST", "Invalid request");
    }

    @Test
    void behindTheFilterTheAdminServletUsesItsVerification() {
        Exchange e = h.json("GET", "/guarded/v1/keys/" + plain.key().id(), null, "X-API-Key", root.plaintext());
        assertEquals(200, e.status(), e.body());
        assertEquals(401, h.json("GET", "/guarded/v1/keys", null).status());
    }

    @Test
    void callersAreVerifiedByTheCredentialVerifierOfTheBuilder() {
        Exchange e = h.json("GET", "/tokens/v1/keys/" + plain.key().id(), null, "Authorization", "Bearer token-of-root");
        assertEquals(200, e.status(), e.body());
        Exchange key = h.json("GET", "/tokens/v1/keys/" + plain.key().id(), null, "Authorization", "Bearer " + root.plaintext());
        problem(key, 401, "NOT_FOUND", "Unknown key");
        assertEquals("Bearer realm=\"admin\", error=\"invalid_token\"", key.header("WWW-Authenticate"));
        String id = ok(h.json("POST", "/tokens/v1/keys", "{\"prefix\":\"acme_test\",\"tenant\":\"acme\"}", "Authorization", "Bearer token-of-root"), 201)
                .get("keyId").asText();
        assertEquals(root.key().id(), ok(call(root, "GET", "/audit?keyId=" + id, null), 200).get("items").get(0).get("actor").asText());
    }

    @Test
    void validationErrorsNameTheFieldAndWriteNothing() {
        Snapshot before = Snapshot.take();
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"prefix\":\"acme_test\",\"ratelimits\":[{\"name\":\"burst\",\"limit\":1,\"duration\":\"1 minute\"}]}",
                "ratelimits[0].duration: not an ISO-8601 duration");
        cases.put("{\"prefix\":\"acme_test\",\"ratelimits\":[{\"name\":\"a\",\"limit\":1,\"duration\":\"PT1S\"},{\"name\":\"a\",\"limit\":1,\"duration\":\"PT1S\"}]}",
                "ratelimits[1].name: is used twice");
        cases.put("{\"prefix\":\"acme_test\",\"ratelimits\":[{\"name\":\"a\",\"limit\":0,\"duration\":\"PT1S\"}]}", "ratelimits[0].limit: must be at least 1");
        cases.put("{\"prefix\":\"acme_test\",\"ratelimits\":[{\"name\":\"a\",\"duration\":\"PT1S\"}]}", "ratelimits[0].limit: is required");
        cases.put("{\"prefix\":\"acme_test\",\"ratelimits\":[{\"name\":\"a\",\"limit\":1,\"duration\":\"PT1S\",\"x\":1}]}", "ratelimits[0].x: unknown field");
        cases.put("{\"prefix\":\"acme_test\",\"colour\":\"red\"}", "colour: unknown field");
        cases.put("{\"prefix\":\"Bad-Prefix\"}", "prefix: must be 1 to 24 characters of [a-z0-9_] starting with a letter");
        cases.put("{\"prefix\":\"acme_test\",\"remaining\":\"5\"}", "remaining: must be an integer");
        cases.put("{\"prefix\":\"acme_test\",\"remaining\":-1}", "remaining: must be at least 0");
        cases.put("{\"prefix\":\"acme_test\",\"remaining\":1.5}", "remaining: must be an integer");
        cases.put("{\"prefix\":\"acme_test\",\"remaining\":99999999999999999999}", "remaining: must be an integer");
        cases.put("{\"prefix\":\"acme_test\",\"environment\":\"prod\"}", "environment: must be live or test");
        cases.put("{\"prefix\":\"acme_test\",\"quota\":{\"limit\":10,\"period\":\"YEAR\"}}", "quota.period: must be DAY, WEEK or MONTH");
        cases.put("{\"prefix\":\"acme_test\",\"quota\":{\"period\":\"DAY\"}}", "quota.limit: is required");
        cases.put("{\"prefix\":\"acme_test\",\"expiresAt\":\"tomorrow\"}", "expiresAt: not an RFC 3339 date-time");
        cases.put("{\"prefix\":\"acme_test\",\"expiresAt\":\"2027-01-01T00:00:00\"}", "expiresAt: not an RFC 3339 date-time");
        cases.put("{\"prefix\":\"acme_test\",\"roles\":\"reader\"}", "roles: must be an array of strings");
        cases.put("{\"prefix\":\"acme_test\",\"permissions\":[\"documents\"]}", "permissions[0]: not a permission (resource:action[:instance])");
        cases.put("{\"prefix\":\"acme_test\",\"permissions\":[\"a:b\",7]}", "permissions[1]: must be a string");
        cases.put("{\"prefix\":\"acme_test\",\"ipAllowlist\":[\"10.0.0.0/33\"]}", "ipAllowlist[0]: not an IP address or CIDR range");
        cases.put("{\"prefix\":\"acme_test\",\"ipAllowlist\":[\"example.com\"]}", "ipAllowlist[0]: not an IP address or CIDR range");
        cases.put("{\"prefix\":\"acme_test\",\"meta\":[1]}", "meta: must be an object");
        cases.put("{\"prefix\":\"acme_test\",\"meta\":{\"a\":[[[[[[[1]]]]]]]}}", "meta: must nest at most 8 levels deep");
        cases.put("{\"prefix\":\"acme_test\",\"meta\":{\"a\":\"" + "m".repeat(4100) + "\"}}", "meta: must be at most 4096 bytes as compact JSON");
        cases.put("{\"prefix\":\"acme_test\",\"requiresApproval\":\"yes\"}", "requiresApproval: must be true or false");
        cases.put("{\"prefix\":\"acme_test\",\"refill\":{\"amount\":1,\"interval\":\"PT1H\"}}", "refill: needs remaining");
        cases.put("{\"prefix\":\"acme_test\",\"remaining\":1,\"refill\":{\"amount\":1,\"interval\":\"PT0S\"}}", "refill.interval: must be positive");
        cases.put("{\"prefix\":\"acme_test\",\"name\":\"" + "n".repeat(201) + "\"}", "name: must be at most 200 characters");
        cases.put("[]", "body: must be a JSON object");
        cases.put("", "body: a JSON object is required");
        for (Map.Entry<String, String> c : cases.entrySet()) badRequest(create(acme, c.getKey()), c.getValue());
        // syntax errors, duplicate fields and trailing content say where, never what
        for (String body : List.of("{\"prefix\":\"acme_test\",", "{\"prefix\":\"acme_test\",\"prefix\":\"acme_test\"}",
                "{\"prefix\":\"acme_test\"} {}", "{\"key\": " + plain.plaintext() + "}")) {
            JsonNode b = problem(create(acme, body), 400, "INVALID_REQUEST", "Invalid request");
            assertTrue(b.get("detail").asText().matches("body: not valid JSON \\(line 1, column \\d+\\)"), b.get("detail").asText());
        }
        assertEquals(before, Snapshot.take(), "no refused call wrote anything");
    }

    @Test
    void enumValuesAreAcceptedInAnyCase() {
        JsonNode k = ok(create(acme, "{\"prefix\":\"acme_test\",\"environment\":\"Test\",\"quota\":{\"limit\":1,\"period\":\"week\"}}"), 201);
        assertEquals("test", k.get("environment").asText());
        assertEquals("WEEK", k.get("quota").get("period").asText());
    }

    @Test
    void oversizeBodiesAnswer413AndWriteNothing() {
        Snapshot before = Snapshot.take();
        String big = "{\"prefix\":\"acme_test\",\"name\":\"" + "x".repeat(70 * 1024) + "\"}";
        Exchange e = create(acme, big);
        JsonNode b = problem(e, 413, "PAYLOAD_TOO_LARGE", "Payload too large");
        assertEquals("the body is larger than 65536 bytes", b.get("detail").asText());
        // without a declared length too
        HttpRequest chunked = h.request(BASE + "/keys").header("Authorization", "Bearer " + acme.plaintext())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes()))).build();
        problem(h.send(chunked), 413, "PAYLOAD_TOO_LARGE", "Payload too large");
        assertEquals(before, Snapshot.take());
    }

    @Test
    void unknownRoutesWrongMethodsAndMediaTypesAreProblems() {
        problem(call(root, "GET", "/nothing", null), 404, "RESOURCE_NOT_FOUND", "Not found");
        problem(call(root, "GET", "/keys/a/b/c", null), 404, "RESOURCE_NOT_FOUND", "Not found");
        problem(call(root, "POST", "/clients", "{}"), 404, "RESOURCE_NOT_FOUND", "Not found");
        problem(call(root, "GET", "/keys/key_nope", null), 404, "RESOURCE_NOT_FOUND", "Not found");
        Exchange m = call(root, "PUT", "/keys/" + plain.key().id(), null);
        problem(m, 405, "METHOD_NOT_ALLOWED", "Method not allowed");
        assertEquals("GET, HEAD, PATCH, DELETE", m.header("Allow"));
        Exchange p = call(root, "PUT", "/keys", "{}");
        problem(p, 405, "METHOD_NOT_ALLOWED", "Method not allowed");
        assertEquals("GET, HEAD, POST", p.header("Allow"));
        Exchange v = call(root, "GET", "/keys/verify", null);
        problem(v, 405, "METHOD_NOT_ALLOWED", "Method not allowed");
        assertEquals("POST", v.header("Allow"));
        Exchange t = h.send(h.request(BASE + "/keys").header("Authorization", "Bearer " + root.plaintext())
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{\"prefix\":\"x\"}")).build());
        problem(t, 415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type");
    }

    @Test
    void storeFailuresAnswer503WithRetryAfterNeverA500() {
        assertEquals(200, call(root, "GET", "/keys/" + plain.key().id(), null).status());
        h.store.down.set(true);
        try {
            Exchange e = call(root, "GET", "/keys/" + plain.key().id(), null);
            problem(e, 503, "STORE_UNAVAILABLE", "Key store unavailable");
            assertEquals("1", e.header("Retry-After"));
            problem(create(root, "{\"prefix\":\"acme_test\"}"), 503, "STORE_UNAVAILABLE", "Key store unavailable");
        } finally {
            h.store.down.set(false);
        }
        // the outage was seen only by the manager, so the cached caller key still verifies
        assertEquals(200, call(root, "GET", "/keys/" + plain.key().id(), null).status());
    }

    @Test
    void noAnswerButCreateAndRotateEverShowsAKeyOrDigest() {
        List<String> digests = new ArrayList<>();
        for (ApiKey k : h.keys.store().list(KeyQuery.all(1000)).items()) digests.add(k.digest().toHex());
        synchronized (h.exchanges) {
            for (Exchange e : h.exchanges) for (String d : digests) assertFalse(e.body().contains(d), e.uri());
        }
    }
}
