package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.core.authz.Roles;
import dev.keys.core.authz.RouteTable;
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
import java.util.Set;

import static dev.keys.servlet.AdminCalls.forbidden;
import static dev.keys.servlet.AdminCalls.status;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Tenant ceilings over HTTP (docs/contract.md §5, issue 14 item 3): the repros of the review first (a
 * {@code keys:manage} key minting {@code *:read}, {@code billing:*}, an undefined {@code ROLE_ADMIN}, and widening
 * itself), then the ceiling configured for a tenant and the default one, for keys and OAuth clients alike.
 */
class TenantCeilingsTest {
    static final String BASE = "/admin/v1";
    static final Roles ROLES = Roles.builder()
            .role("reader", List.of("documents:read"))
            .role("writer", List.of("documents:read", "documents:write"))
            .role("superuser", List.of("keys:admin"))
            .role("operator", List.of("keys:manage"))
            .build();
    static final RouteTable ROUTES = RouteTable.parse("""
            GET /api/documents/** -> documents:read
            POST /api/documents -> documents:write
            GET /api/hello -> hello:read""");
    /** acme has a ceiling of its own; globex has the default one (defined roles and the routes' permissions). */
    static final AdminPolicy POLICY = AdminPolicy.builder(ROLES).routes(ROUTES)
            .ceiling("acme", Set.of("documents:*", "hello:read"), Set.of("reader"))
            .build();
    static JettyHarness h;
    static AdminCalls api;
    static IssuedKey root, acme, globex;

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness(ROLES);
        api = new AdminCalls(h, BASE);
        ClientManager clients = ClientManager.builder(new InMemoryClientStore()).audit(h.audit).clock(h.clock).build();
        h.servlet(BASE + "/*", KeyAdminServlet.builder(h.keys).policy(POLICY).auditLog(h.audit).clients(clients).build()).start();
        root = h.issue(NewKey.builder("ops_live").tenant("ops").permissions(AdminPolicy.ADMIN));
        acme = h.issue(NewKey.builder("acme_live").tenant("acme").permissions(AdminPolicy.MANAGE));
        globex = h.issue(NewKey.builder("globex_live").tenant("globex").permissions(AdminPolicy.MANAGE));
        // One denied caller, so that the leak check at the end sees the denial log it watches.
        status(h.json("POST", BASE + "/keys", "{}"), 401, "MISSING");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            h.assertNoLeaks();
        } finally {
            h.close();
        }
    }

    static Exchange create(IssuedKey caller, String grants) {
        return api.call(caller, "POST", "/keys", "{\"prefix\":\"t_live\"" + grants + "}");
    }


    static String keyId(Exchange e) {
        return status(e, 201, null).get("keyId").asText();
    }

    @Test
    void reviewReprosAManagerMintsNoWildcardOutsideItsCeiling() {
        for (IssuedKey m : List.of(acme, globex)) {
            forbidden(create(m, ",\"permissions\":[\"*:read\"]"));
            forbidden(create(m, ",\"permissions\":[\"*:write\"]"));
            forbidden(create(m, ",\"permissions\":[\"billing:*\"]"));
            forbidden(create(m, ",\"permissions\":[\"*:*\"]"));
        }
        assertEquals(0, h.keys.store().list(dev.keys.api.KeyQuery.all(1000)).items().stream()
                .filter(k -> Set.of(acme.key().id(), globex.key().id()).contains(k.createdBy()))
                .filter(k -> k.permissions().stream().anyMatch(p -> Set.of("*:read", "*:write", "billing:*", "*:*").contains(p))).count());
    }

    @Test
    void reviewReproAnUndefinedRoleIsRefusedForEveryCaller() {
        for (IssuedKey c : List.of(root, acme, globex)) {
            JsonNode b = status(create(c, ",\"roles\":[\"ROLE_ADMIN\"]"), 400, "INVALID_REQUEST");
            assertTrue(b.get("detail").asText().startsWith("roles"), b.toString());
            assertFalse(b.get("detail").asText().contains("ROLE_ADMIN"), "values are never echoed");
        }
        String id = keyId(create(acme, ",\"roles\":[\"reader\"]"));
        status(api.call(acme, "PATCH", "/keys/" + id, "{\"roles\":[\"reader\",\"ROLE_ADMIN\"]}"), 400, "INVALID_REQUEST");
        status(api.call(root, "PATCH", "/keys/" + id, "{\"roles\":[\"ROLE_ADMIN\"]}"), 400, "INVALID_REQUEST");
        assertEquals(Set.of("reader"), h.keys.manager().get(id).orElseThrow().roles());
    }

    @Test
    void reviewReproAManagerNeverWidensItsOwnKey() {
        IssuedKey self = h.issue(NewKey.builder("acme_live").tenant("acme").permissions(AdminPolicy.MANAGE));
        forbidden(api.call(self, "PATCH", "/keys/" + self.key().id(), "{\"permissions\":[\"keys:manage\",\"documents:read\"]}"));
        forbidden(api.call(self, "PATCH", "/keys/" + self.key().id(), "{\"roles\":[\"reader\"]}"));
        assertEquals(Set.of(AdminPolicy.MANAGE), h.keys.manager().get(self.key().id()).orElseThrow().permissions());
        assertTrue(h.keys.manager().get(self.key().id()).orElseThrow().roles().isEmpty());
        // Narrowing itself and changing other fields are not widening.
        status(api.call(self, "PATCH", "/keys/" + self.key().id(), "{\"name\":\"me\"}"), 200, null);
    }

    @Test
    void aConfiguredCeilingCoversItsWildcardsAndRoles() {
        keyId(create(acme, ",\"permissions\":[\"documents:*\"]"));
        keyId(create(acme, ",\"permissions\":[\"documents:read:42\",\"hello:read\"]"));
        keyId(create(acme, ",\"roles\":[\"reader\"]"));
        forbidden(create(acme, ",\"roles\":[\"writer\"]"));
        forbidden(create(acme, ",\"permissions\":[\"billing:read\"]"));
        forbidden(create(acme, ",\"roles\":[\"superuser\"]"));
        forbidden(create(acme, ",\"permissions\":[\"keys:admin\"]"));
    }

    @Test
    void theDefaultCeilingIsTheDefinedRolesAndTheRoutesPermissionsNeverKeys() {
        keyId(create(globex, ",\"permissions\":[\"documents:read\",\"documents:write\",\"hello:read\"]"));
        keyId(create(globex, ",\"roles\":[\"reader\",\"writer\"]"));
        forbidden(create(globex, ",\"permissions\":[\"documents:*\"]"));
        forbidden(create(globex, ",\"permissions\":[\"keys:manage\"]"));
        forbidden(create(globex, ",\"permissions\":[\"keys:read\"]"));
        forbidden(create(globex, ",\"permissions\":[\"keys:*\"]"));
        forbidden(create(globex, ",\"roles\":[\"operator\"]"));
        forbidden(create(globex, ",\"roles\":[\"superuser\"]"));
    }

    @Test
    void aPatchIsJudgedOnWhatItAddsSoGrantsAnAdminMadeStay() {
        String id = keyId(api.call(root, "POST", "/keys", "{\"prefix\":\"t_live\",\"tenant\":\"acme\",\"permissions\":[\"billing:read\"]}"));
        status(api.call(acme, "PATCH", "/keys/" + id, "{\"name\":\"renamed\"}"), 200, null);
        status(api.call(acme, "PATCH", "/keys/" + id, "{\"permissions\":[\"billing:read\",\"documents:read\"]}"), 200, null);
        forbidden(api.call(acme, "PATCH", "/keys/" + id, "{\"permissions\":[\"billing:read\",\"billing:write\"]}"));
        forbidden(api.call(acme, "PATCH", "/keys/" + id, "{\"permissions\":[\"*:read\"]}"));
        assertEquals(Set.of("billing:read", "documents:read"), h.keys.manager().get(id).orElseThrow().permissions());
        // An admin is held to no ceiling.
        status(api.call(root, "PATCH", "/keys/" + id, "{\"permissions\":[\"billing:*\"]}"), 200, null);
    }

    @Test
    void clientsAreHeldToTheSameCeiling() {
        forbidden(api.call(globex, "POST", "/clients", "{\"name\":\"c\",\"permissions\":[\"*:read\"]}"));
        forbidden(api.call(acme, "POST", "/clients", "{\"name\":\"c\",\"permissions\":[\"billing:*\"]}"));
        status(api.call(acme, "POST", "/clients", "{\"name\":\"c\",\"roles\":[\"ROLE_ADMIN\"]}"), 400, "INVALID_REQUEST");
        status(api.call(root, "POST", "/clients", "{\"name\":\"c\",\"tenant\":\"acme\",\"roles\":[\"ROLE_ADMIN\"]}"), 400, "INVALID_REQUEST");
        String id = status(api.call(acme, "POST", "/clients", "{\"name\":\"c\",\"permissions\":[\"documents:read\"]}"), 201, null).get("clientId").asText();
        forbidden(api.call(acme, "PATCH", "/clients/" + id, "{\"permissions\":[\"documents:read\",\"billing:*\"]}"));
        status(api.call(acme, "PATCH", "/clients/" + id, "{\"roles\":[\"ROLE_ADMIN\"]}"), 400, "INVALID_REQUEST");
        status(api.call(acme, "PATCH", "/clients/" + id, "{\"permissions\":[\"documents:*\"],\"roles\":[\"reader\"]}"), 200, null);
    }
}
