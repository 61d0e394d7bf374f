package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.ApiKey;
import dev.keys.api.KeyQuery;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static dev.keys.servlet.harness.JettyHarness.problem;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 14 items 1 and 8 over real HTTP: instants and durations outside docs/contract.md §3 answer 400 naming the
 * field and write nothing; a key that PATCHes itself to never expire is still revoked from the next request; and an
 * opaque admin servlet answers unknown, expired and revoked callers alike.
 */
class AdminTimeBoundsTest {
    static JettyHarness h;
    static IssuedKey root, manager;
    static final String BASE = "/admin/v1", OPAQUE = "/opaque/v1", PARAMS = "/params/v1";

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness();
        h.context.setAttribute(ApiKeyFilter.DEFAULT_KEYS_ATTRIBUTE, h.keys);
        var byParams = new org.eclipse.jetty.ee10.servlet.ServletHolder(new KeyAdminServlet());
        byParams.setInitParameter("opaque", "true");
        h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .servlet(BASE + "/*", KeyAdminServlet.builder(h.keys).auditLog(h.audit).usageLog(h.usage).clock(h.clock).build())
                .servlet(OPAQUE + "/*", KeyAdminServlet.builder(h.keys).opaque(true).build());
        h.context.addServlet(byParams, PARAMS + "/*");
        h.start();
        root = h.issue(NewKey.builder("ops_live").tenant("ops").permissions(KeyAdminServlet.ADMIN));
        manager = h.issue(NewKey.builder("acme_live").tenant("acme").permissions(KeyAdminServlet.MANAGE));
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

    static void names(Exchange e, String field) {
        JsonNode b = problem(e, 400, "INVALID_REQUEST", "Invalid request");
        assertTrue(b.get("detail").asText().startsWith(field + ":"), b.get("detail").asText());
    }

    static List<ApiKey> keys() {
        return h.keys.store().list(KeyQuery.all(1000)).items();
    }

    @Test
    void instantsOutsideTheContractAnswer400NamingTheFieldAndWriteNothing() {
        int before = keys().size();
        for (String at : List.of("1969-12-31T23:59:59Z", "+10000-01-01T00:00:00Z", "9999-12-31T23:59:59.5Z", "-999999999-01-01T00:00:00Z",
                "+999999999-12-31T23:59:59Z")) {
            names(call(root, "POST", "/keys", "{\"prefix\":\"sk_live\",\"expiresAt\":\"" + at + "\"}"), "expiresAt");
        }
        assertEquals(before, keys().size());
        String id = call(root, "POST", "/keys", "{\"prefix\":\"sk_live\",\"expiresAt\":\"1970-01-01T00:00:00Z\"}").json().get("keyId").asText();
        long version = h.keys.store().findById(id).orElseThrow().version();
        names(call(root, "PATCH", "/keys/" + id, "{\"expiresAt\":\"+10000-01-01T00:00:00Z\"}"), "expiresAt");
        assertEquals(version, h.keys.store().findById(id).orElseThrow().version());
        names(h.get(BASE + "/keys/" + id + "/usage?from=-999999999-01-01T00:00:00Z", "Authorization", "Bearer " + root.plaintext()), "from");
        names(h.get(BASE + "/keys/" + id + "/usage?to=-999999999-01-01T00:00:00Z", "Authorization", "Bearer " + root.plaintext()), "to");
        names(h.get(BASE + "/keys/" + id + "/usage?granularity=P100000D", "Authorization", "Bearer " + root.plaintext()), "granularity");
    }

    @Test
    void durationsOutsideTheContractAnswer400NamingTheFieldAndWriteNothing() {
        int before = keys().size();
        for (String d : List.of("P100000D", "PT2562047788015215H", "PT-1S", "PT0S")) {
            names(call(root, "POST", "/keys", "{\"prefix\":\"sk_live\",\"ratelimits\":[{\"name\":\"a\",\"limit\":1,\"duration\":\"" + d + "\"}]}"),
                    "ratelimits[0].duration");
            names(call(root, "POST", "/keys", "{\"prefix\":\"sk_live\",\"remaining\":1,\"refill\":{\"amount\":1,\"interval\":\"" + d + "\"}}"),
                    "refill.interval");
        }
        assertEquals(before, keys().size());
        String id = call(root, "POST", "/keys", "{\"prefix\":\"sk_live\"}").json().get("keyId").asText();
        before = keys().size();
        for (String d : List.of("P100000D", "PT2562047788015215H", "PT-1S")) {
            names(call(root, "POST", "/keys/" + id + "/rotate", "{\"gracePeriod\":\"" + d + "\"}"), "gracePeriod");
        }
        assertEquals(before, keys().size(), "no orphan ACTIVE key");
        assertEquals(Optional.empty(), h.keys.store().findById(id).orElseThrow().rotatedTo());
        assertEquals(201, call(root, "POST", "/keys/" + id + "/rotate", "{\"gracePeriod\":\"P36525D\"}").status());
    }

    @Test
    void aKeyThatPatchesItselfToNeverExpireIsRevokedFromTheNextRequest() {
        // An admin mints the manage key (a tenant's ceiling never lets a manager grant a keys: right); the key then
        // changes its own expiry, which its tenant allows.
        JsonNode created = call(root, "POST", "/keys", "{\"prefix\":\"acme_live\",\"tenant\":\"acme\",\"permissions\":[\"keys:manage\"]}").json();
        String id = created.get("keyId").asText(), key = created.get("key").asText();
        assertEquals(200, h.get("/api/x", "X-API-Key", key).status());
        Exchange own = h.json("PATCH", BASE + "/keys/" + id, "{\"expiresAt\":\"9999-12-31T23:59:59Z\"}", "Authorization", "Bearer " + key);
        assertEquals(200, own.status(), own.body());
        assertEquals("9999-12-31T23:59:59Z", own.json().get("expiresAt").asText());
        assertEquals(200, h.get("/api/x", "X-API-Key", key).status());
        assertEquals(200, call(root, "POST", "/keys/" + id + "/revoke", "{\"reason\":\"leaked\"}").status());
        assertEquals("REVOKED", problem(h.get("/api/x", "X-API-Key", key), 401, "REVOKED", "Revoked key").get("code").asText());
        assertEquals(401, h.json("GET", BASE + "/keys/" + id, null, "Authorization", "Bearer " + key).status());
        assertEquals(List.of("create", "update", "revoke"), h.audit.find(Optional.empty(), Optional.of(id), 10, Optional.empty()).items().stream()
                .map(dev.keys.api.AuditEvent::action).sorted((a, b) -> order(a) - order(b)).toList());
    }

    private static int order(String action) {
        return List.of("create", "update", "revoke").indexOf(action);
    }

    @Test
    void anOpaqueAdminServletAnswersUnknownExpiredAndRevokedCallersAlike() {
        IssuedKey expired = h.issue(NewKey.builder("ops_live").tenant("ops").permissions(KeyAdminServlet.ADMIN)
                .expiresAt(h.clock.instant().plusSeconds(1)));
        IssuedKey revoked = h.issue(NewKey.builder("ops_live").tenant("ops").permissions(KeyAdminServlet.ADMIN));
        h.keys.manager().revoke(revoked.key().id(), "test", Optional.empty());
        h.clock.advance(Duration.ofSeconds(2));
        String unknown = new dev.keys.core.format.KeyFormat(new java.security.SecureRandom()).generate("ops_live");
        for (String base : List.of(OPAQUE, PARAMS)) {
            List<String> answers = new java.util.ArrayList<>();
            for (String key : List.of(unknown, expired.plaintext(), revoked.plaintext())) {
                Exchange e = h.get(base + "/keys", "Authorization", "Bearer " + key);
                JsonNode b = problem(e, 401, "NOT_FOUND", "Unknown key");
                answers.add(e.status() + " " + b.get("code").asText() + " " + b.get("detail").asText() + " " + e.header("WWW-Authenticate"));
            }
            assertEquals(1, answers.stream().distinct().count(), base + ": " + answers);
        }
        // Not opaque: the codes differ, as before.
        assertEquals("EXPIRED", h.get(BASE + "/keys", "Authorization", "Bearer " + expired.plaintext()).json().get("code").asText());
        assertEquals("REVOKED", h.get(BASE + "/keys", "Authorization", "Bearer " + revoked.plaintext()).json().get("code").asText());
    }
}
