package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.AuditEvent;
import dev.keys.core.authz.Roles;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.lifecycle.ClientManager;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryClientStore;
import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.keys.servlet.AdminCalls.forbidden;
import static dev.keys.servlet.AdminCalls.status;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Separation of duties (issue 14 item 5), a verify across tenants that spends nothing (item 6), and the rights
 * {@code keys:read} and {@code keys:verify} (issue 17 item 9), over HTTP (docs/contract.md §5).
 */
class AdminDutiesTest {
    static final String BASE = "/admin/v1";
    static final Roles ROLES = Roles.builder().role("reader", List.of("documents:read")).build();
    static JettyHarness h;
    static AdminCalls api;
    static IssuedKey root, acme, acme2, globex, reader, verifier;

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness(ROLES);
        api = new AdminCalls(h, BASE);
        ClientManager clients = ClientManager.builder(new InMemoryClientStore()).audit(h.audit).clock(h.clock).build();
        h.servlet(BASE + "/*", KeyAdminServlet.builder(h.keys).roles(ROLES).auditLog(h.audit).usageLog(h.usage).clients(clients).build()).start();
        root = h.issue(NewKey.builder("ops_live").tenant("ops").permissions(AdminPolicy.ADMIN));
        acme = h.issue(NewKey.builder("acme_live").tenant("acme").permissions(AdminPolicy.MANAGE));
        acme2 = h.issue(NewKey.builder("acme_live").tenant("acme").permissions(AdminPolicy.MANAGE));
        globex = h.issue(NewKey.builder("globex_live").tenant("globex").permissions(AdminPolicy.MANAGE));
        reader = h.issue(NewKey.builder("acme_live").tenant("acme").permissions("keys:read"));
        verifier = h.issue(NewKey.builder("acme_live").tenant("acme").permissions("keys:verify"));
        status(h.json("GET", BASE + "/keys", null), 401, "MISSING");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            h.assertNoLeaks();
        } finally {
            h.close();
        }
    }


    static String acmeKey(IssuedKey by, String extra) {
        String tenant = by == root ? ",\"tenant\":\"acme\"" : "";
        return status(api.call(by, "POST", "/keys", "{\"prefix\":\"acme_test\"" + tenant + extra + "}"), 201, null).get("keyId").asText();
    }

    static void refusalAudited(String keyId, String action, IssuedKey by) {
        List<AuditEvent> events = h.audit.find(Optional.empty(), Optional.of(keyId), 1000, Optional.empty()).items();
        assertTrue(events.stream().anyMatch(e -> e.action().equals(action + ".refused") && e.actor().equals(by.key().id())
                && e.reason().isPresent() && e.changes().isEmpty()), "the refused attempt is audited: " + events);
    }

    @Test
    void aManagerCannotEnableAKeyAnAdminDisabled() {
        String id = acmeKey(acme, "");
        status(api.call(root, "POST", "/keys/" + id + "/disable", "{\"reason\":\"abuse\"}"), 200, null);
        forbidden(api.call(acme, "POST", "/keys/" + id + "/enable", null));
        forbidden(api.call(acme2, "POST", "/keys/" + id + "/enable", null));
        assertEquals("DISABLED", h.keys.manager().get(id).orElseThrow().status().name());
        refusalAudited(id, "enable", acme);
        status(api.call(root, "POST", "/keys/" + id + "/enable", null), 200, null);
        // A key a manager disabled, a manager enables again.
        status(api.call(acme, "POST", "/keys/" + id + "/disable", null), 200, null);
        status(api.call(acme2, "POST", "/keys/" + id + "/enable", null), 200, null);
    }

    @Test
    void aManagerCannotApproveAKeyAnAdminRejected() {
        String id = acmeKey(root, ",\"requiresApproval\":true");
        status(api.call(root, "POST", "/keys/" + id + "/reject", "{\"reason\":\"no\"}"), 200, null);
        forbidden(api.call(acme, "POST", "/keys/" + id + "/approve", null));
        assertEquals("REJECTED", h.keys.manager().get(id).orElseThrow().status().name());
        refusalAudited(id, "approve", acme);
        status(api.call(root, "POST", "/keys/" + id + "/approve", null), 200, null);
    }

    @Test
    void aManagerCannotApproveAKeyItCreated() {
        String id = acmeKey(acme, ",\"requiresApproval\":true");
        forbidden(api.call(acme, "POST", "/keys/" + id + "/approve", null));
        assertEquals("PENDING_APPROVAL", h.keys.manager().get(id).orElseThrow().status().name());
        refusalAudited(id, "approve", acme);
        status(api.call(acme2, "POST", "/keys/" + id + "/approve", null), 200, null);
        // A rotation is a creation: the rotating manager does not approve the new key either.
        String other = acmeKey(acme2, ",\"requiresApproval\":true");
        String fresh = status(api.call(acme, "POST", "/keys/" + other + "/rotate", null), 201, null).get("keyId").asText();
        forbidden(api.call(acme, "POST", "/keys/" + fresh + "/approve", null));
    }

    @Test
    void aVerifyOutsideTheCallersTenantAnswersNotFoundAndSpendsNothing() {
        String body = ",\"remaining\":3,\"quota\":{\"limit\":5,\"period\":\"day\"},\"ratelimits\":[{\"name\":\"burst\",\"limit\":2,\"duration\":\"PT1M\"}]";
        JsonNode created = status(api.call(root, "POST", "/keys", "{\"prefix\":\"acme_test\",\"tenant\":\"acme\"" + body + "}"), 201, null);
        String plaintext = created.get("key").asText();
        String verify = "{\"key\":\"" + plaintext + "\"}";
        for (int i = 0; i < 3; i++) {
            JsonNode v = status(api.call(globex, "POST", "/keys/verify", verify), 200, null);
            assertFalse(v.get("valid").asBoolean());
            assertEquals("NOT_FOUND", v.get("code").asText());
            assertTrue(v.get("keyId").isNull());
        }
        JsonNode v = status(api.call(acme, "POST", "/keys/verify", verify), 200, null);
        assertEquals("VALID", v.get("code").asText(), v.toString());
        assertEquals(2, v.get("remaining").asLong(), "the other tenant's verifies spent no remaining use");
        assertEquals(1, v.get("ratelimits").get(0).get("remaining").asLong(), "nor a rate-limit token: " + v);
        v = status(api.call(acme, "POST", "/keys/verify", verify), 200, null);
        assertEquals("VALID", v.get("code").asText(), v.toString());
        assertEquals(1, v.get("remaining").asLong());
    }

    @Test
    void keysReadReadsItsTenantAndWritesNothing() {
        String id = acmeKey(acme, "");
        String gid = status(api.call(globex, "POST", "/keys", "{\"prefix\":\"globex_test\"}"), 201, null).get("keyId").asText();
        JsonNode page = status(api.call(reader, "GET", "/keys", null), 200, null);
        assertTrue(page.get("items").size() > 0);
        page.get("items").forEach(k -> assertEquals("acme", k.get("tenant").asText()));
        status(api.call(reader, "GET", "/keys/" + id, null), 200, null);
        status(api.call(reader, "GET", "/keys/" + gid, null), 404, null);
        status(api.call(reader, "GET", "/keys/" + id + "/usage", null), 200, null);
        JsonNode audit = status(api.call(reader, "GET", "/audit", null), 200, null);
        audit.get("items").forEach(e -> assertEquals("acme", e.get("tenant").asText()));
        status(api.call(reader, "GET", "/audit?tenant=globex", null), 404, null);
        status(api.call(reader, "GET", "/clients", null), 200, null);
        int before = h.audit.size();
        forbidden(api.call(reader, "POST", "/keys", "{\"prefix\":\"acme_test\"}"));
        forbidden(api.call(reader, "PATCH", "/keys/" + id, "{\"name\":\"x\"}"));
        for (String a : List.of("revoke", "disable", "enable", "approve", "reject", "rotate")) {
            forbidden(api.call(reader, "POST", "/keys/" + id + "/" + a, null));
        }
        forbidden(api.call(reader, "PATCH", "/keys/" + gid, "{\"name\":\"x\"}"));
        forbidden(api.call(reader, "POST", "/keys/verify", "{\"key\":\"" + verifier.plaintext() + "\"}"));
        forbidden(api.call(reader, "POST", "/clients", "{\"name\":\"c\"}"));
        assertEquals(before, h.audit.size(), "a refused write writes nothing");
        assertEquals("ACTIVE", h.keys.manager().get(id).orElseThrow().status().name());
    }

    @Test
    void keysVerifyOnlyVerifies() {
        String id = acmeKey(acme, "");
        JsonNode v = status(api.call(verifier, "POST", "/keys/verify", "{\"key\":\"" + reader.plaintext() + "\"}"), 200, null);
        assertEquals("VALID", v.get("code").asText());
        assertEquals(reader.key().id(), v.get("keyId").asText());
        v = status(api.call(verifier, "POST", "/keys/verify", "{\"key\":\"" + globex.plaintext() + "\"}"), 200, null);
        assertEquals("NOT_FOUND", v.get("code").asText());
        forbidden(api.call(verifier, "GET", "/keys", null));
        forbidden(api.call(verifier, "GET", "/keys/" + id, null));
        forbidden(api.call(verifier, "GET", "/keys/" + id + "/usage", null));
        forbidden(api.call(verifier, "GET", "/audit", null));
        forbidden(api.call(verifier, "GET", "/clients", null));
        forbidden(api.call(verifier, "POST", "/keys", "{\"prefix\":\"acme_test\"}"));
        forbidden(api.call(verifier, "POST", "/keys/" + id + "/revoke", null));
        forbidden(api.call(verifier, "PATCH", "/keys/" + id, "{\"name\":\"x\"}"));
    }
}
