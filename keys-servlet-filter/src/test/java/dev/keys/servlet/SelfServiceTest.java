package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.AuditEvent;
import dev.keys.core.authz.Roles;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.servlet.harness.JettyHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.keys.servlet.AdminCalls.forbidden;
import static dev.keys.servlet.AdminCalls.status;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code keys:self} over HTTP: a key holder reads, and rotates, only the keys of its own tenant and {@code ownerId}
 * (another owner's or tenant's answer 404, as unknown ones), reads their usage and audit, and does nothing else
 * (403); it never rotates a key holding a stronger {@code keys:} right; the rotation is audited with it as the actor.
 */
class SelfServiceTest {
    static final String BASE = "/admin/v1";
    static final Roles ROLES = Roles.builder().role("consumer", List.of("documents:read", AdminPolicy.SELF)).build();
    static JettyHarness h;
    static AdminCalls api;
    static IssuedKey self, aliceOther, aliceManager, bob, otherTenant, blankOwner, selfReader;

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness(ROLES);
        api = new AdminCalls(h, BASE);
        h.servlet(BASE + "/*", KeyAdminServlet.builder(h.keys).auditLog(h.audit).usageLog(h.usage).build()).start();
        self = h.issue(NewKey.builder("acme_live").tenant("acme").ownerId("alice").roles(java.util.Set.of("consumer")));
        aliceOther = h.issue(NewKey.builder("acme_live").tenant("acme").ownerId("alice").permissions("documents:read"));
        aliceManager = h.issue(NewKey.builder("acme_live").tenant("acme").ownerId("alice").permissions(AdminPolicy.MANAGE));
        bob = h.issue(NewKey.builder("acme_live").tenant("acme").ownerId("bob").permissions("documents:read"));
        otherTenant = h.issue(NewKey.builder("globex_live").tenant("globex").ownerId("alice").permissions("documents:read"));
        blankOwner = h.issue(NewKey.builder("acme_live").tenant("acme").permissions(AdminPolicy.SELF));
        selfReader = h.issue(NewKey.builder("acme_live").tenant("acme").ownerId("carol").permissions(AdminPolicy.SELF, AdminPolicy.READ));
        status(h.json("GET", BASE + "/keys", null), 401, "MISSING");
    }

    @AfterAll
    static void stop() throws Exception {
        h.closeAfterLeakCheck();
    }

    @Test
    void listsOnlyItsOwnKeys() {
        JsonNode page = status(api.call(self, "GET", "/keys", null), 200, null);
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(k -> ids.add(k.get("keyId").asText()));
        assertTrue(ids.containsAll(List.of(self.key().id(), aliceOther.key().id(), aliceManager.key().id())), ids.toString());
        assertFalse(ids.contains(bob.key().id()));
        assertFalse(ids.contains(otherTenant.key().id()));
        page.get("items").forEach(k -> assertEquals("alice", k.get("ownerId").asText()));
        // Asking for another owner or tenant answers as an unknown one; its own owner is fine.
        status(api.call(self, "GET", "/keys?ownerId=bob", null), 404, Problem.RESOURCE_NOT_FOUND);
        status(api.call(self, "GET", "/keys?tenant=globex", null), 404, Problem.RESOURCE_NOT_FOUND);
        status(api.call(self, "GET", "/keys?ownerId=alice&tenant=acme", null), 200, null);
        // A search keeps to its own keys too.
        assertEquals(0, status(api.call(self, "GET", "/keys?q=" + bob.key().id(), null), 200, null).get("items").size());
        assertEquals(aliceOther.key().id(), status(api.call(self, "GET", "/keys?status=active&q=" + aliceOther.key().id(), null), 200, null).at("/items/0/keyId").asText());
    }

    @Test
    void readsItsKeysUsageAndAuditOnly() {
        assertEquals("alice", status(api.call(self, "GET", "/keys/" + aliceOther.key().id(), null), 200, null).get("ownerId").asText());
        status(api.call(self, "GET", "/keys/" + bob.key().id(), null), 404, Problem.RESOURCE_NOT_FOUND);
        status(api.call(self, "GET", "/keys/" + otherTenant.key().id(), null), 404, Problem.RESOURCE_NOT_FOUND);
        status(api.call(self, "GET", "/keys/" + aliceOther.key().id() + "/usage", null), 200, null);
        status(api.call(self, "GET", "/keys/" + bob.key().id() + "/usage", null), 404, Problem.RESOURCE_NOT_FOUND);
        status(api.call(self, "GET", "/audit?keyId=" + aliceOther.key().id(), null), 200, null);
        status(api.call(self, "GET", "/audit?keyId=" + bob.key().id(), null), 404, Problem.RESOURCE_NOT_FOUND);
        forbidden(api.call(self, "GET", "/audit", null));
    }

    @Test
    void doesNothingElse() {
        String id = aliceOther.key().id();
        forbidden(api.call(self, "POST", "/keys", "{\"name\":\"x\"}"));
        forbidden(api.call(self, "PATCH", "/keys/" + id, "{\"name\":\"x\"}"));
        forbidden(api.call(self, "DELETE", "/keys/" + id, null));
        for (String action : List.of("revoke", "disable", "enable", "approve", "reject")) forbidden(api.call(self, "POST", "/keys/" + id + "/" + action, "{}"));
        forbidden(api.call(self, "POST", "/keys/" + id + "/remaining", "{\"op\":\"set\",\"value\":1}"));
        forbidden(api.call(self, "POST", "/keys/" + id + "/permissions", "{\"add\":[\"documents:write\"]}"));
        forbidden(api.call(self, "POST", "/keys/verify", "{\"key\":\"x\"}"));
        forbidden(api.call(self, "POST", "/keys/import", "{\"keys\":[]}"));
        assertEquals("active", h.keys.manager().get(id).map(k -> k.status().name().toLowerCase()).orElseThrow());
    }

    @Test
    void rotatesItsOwnKeysAndIsAudited() {
        IssuedKey mine = h.issue(NewKey.builder("acme_live").tenant("acme").ownerId("alice").permissions("documents:read"));
        JsonNode fresh = status(api.call(self, "POST", "/keys/" + mine.key().id() + "/rotate", "{\"gracePeriod\":\"PT1H\"}"), 201, null);
        assertEquals(mine.key().id(), fresh.get("rotatedFrom").asText());
        assertEquals("alice", fresh.get("ownerId").asText());
        assertEquals(List.of("documents:read"), List.of(fresh.get("permissions").get(0).asText()));
        List<AuditEvent> events = h.audit.find(Optional.of("acme"), Optional.of(mine.key().id()), 10, Optional.empty()).items();
        assertTrue(events.stream().anyMatch(e -> e.action().equals("rotate") && e.actor().equals(self.key().id())), events.toString());
        // Its own key too: the holder rolls the key it signs in with.
        IssuedKey own = h.issue(NewKey.builder("acme_live").tenant("acme").ownerId("alice").roles(java.util.Set.of("consumer")));
        status(api.call(own, "POST", "/keys/" + own.key().id() + "/rotate", "{}"), 201, null);
    }

    @Test
    void neverRotatesAnotherOwnersOrAStrongerKey() {
        status(api.call(self, "POST", "/keys/" + bob.key().id() + "/rotate", "{}"), 404, Problem.RESOURCE_NOT_FOUND);
        status(api.call(self, "POST", "/keys/" + otherTenant.key().id() + "/rotate", "{}"), 404, Problem.RESOURCE_NOT_FOUND);
        // Same owner, but holding keys:manage: a rotation would hand the self-service holder a manager's key.
        forbidden(api.call(self, "POST", "/keys/" + aliceManager.key().id() + "/rotate", "{}"));
        assertTrue(h.keys.manager().get(aliceManager.key().id()).orElseThrow().rotatedTo().isEmpty());
        // keys:self with keys:read reads the tenant, but rotates only its own (another owner's: 403, it can see it).
        status(api.call(selfReader, "GET", "/keys/" + bob.key().id(), null), 200, null);
        forbidden(api.call(selfReader, "POST", "/keys/" + bob.key().id() + "/rotate", "{}"));
    }

    @Test
    void aBlankOwnerOwnsNothing() {
        forbidden(api.call(blankOwner, "GET", "/keys", null));
        forbidden(api.call(blankOwner, "POST", "/keys/" + blankOwner.key().id() + "/rotate", "{}"));
    }
}
