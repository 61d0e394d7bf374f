package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.core.authz.Roles;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.keys.servlet.AdminCalls.forbidden;
import static dev.keys.servlet.AdminCalls.status;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code GET /roles}, {@code PUT /roles/{name}} and {@code DELETE /roles/{name}} over a real Jetty
 * (docs/contract.md §5): sources said, roles of code and of the policy file read-only (409), writes for
 * {@code keys:admin} only, audited, effective at once for {@code /keys/verify} and for grants, and every bad input
 * a 400 naming the field.
 */
class RolesOverHttpTest {
    static final String BASE = "/admin/v1";
    /** The policy file's roles and one of code, as a service holds both. */
    static final Roles ROLES = Roles.builder()
            .addAll(PolicyLoader.loadJson("{\"roles\":{\"auditor\":[\"audit:read\"]}}").roles())
            .role("reader", List.of("documents:read"))
            .build();
    static JettyHarness h;
    static AdminCalls api;
    static IssuedKey root, manager, reader, verifier;

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness(ROLES);
        api = new AdminCalls(h, BASE);
        h.servlet(BASE + "/*", KeyAdminServlet.builder(h.keys).auditLog(h.audit).build()).start();
        root = h.issue(NewKey.builder("ops_live").permissions(AdminPolicy.ADMIN));
        manager = h.issue(NewKey.builder("mgr_live").permissions(AdminPolicy.MANAGE));
        reader = h.issue(NewKey.builder("rd_live").permissions(AdminPolicy.READ));
        verifier = h.issue(NewKey.builder("vf_live").permissions(AdminPolicy.VERIFY));
        status(h.json("GET", BASE + "/roles", ""), 401, "MISSING");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            h.assertNoLeaks();
        } finally {
            h.close();
        }
    }

    static Exchange put(IssuedKey caller, String name, String body) {
        return api.call(caller, "PUT", "/roles/" + name, body);
    }

    static String verify(IssuedKey key, String permission) {
        return status(api.call(root, "POST", "/keys/verify", "{\"key\":\"" + key.plaintext() + "\",\"permissions\":[\"" + permission + "\"]}"), 200, null)
                .get("code").asText();
    }

    static List<String> fields(JsonNode problem) {
        List<String> out = new ArrayList<>();
        problem.get("errors").forEach(e -> out.add(e.get("field").asText()));
        return out;
    }

    @Test
    void aRoleDefinedChangedAndDeletedHoldsFromTheNextRequest() {
        IssuedKey key = h.issue(NewKey.builder("app_live").roles(Set.of("editor")));
        assertEquals("INSUFFICIENT_PERMISSIONS", verify(key, "documents:write"));

        JsonNode created = status(put(root, "editor", "{\"permissions\":[\"documents:write\",\"documents:read\"]}"), 200, null);
        assertEquals("{\"name\":\"editor\",\"permissions\":[\"documents:read\",\"documents:write\"],\"source\":\"store\"}", created.toString());
        assertEquals("VALID", verify(key, "documents:write"));

        status(put(root, "editor", "{\"permissions\":[\"documents:read\"]}"), 200, null);
        assertEquals("INSUFFICIENT_PERMISSIONS", verify(key, "documents:write"));
        assertEquals("VALID", verify(key, "documents:read"));

        Exchange gone = api.call(root, "DELETE", "/roles/editor", null);
        assertEquals(204, gone.status(), gone.body());
        assertEquals("INSUFFICIENT_PERMISSIONS", verify(key, "documents:read"));
        assertEquals("no stored role of that name", status(api.call(root, "DELETE", "/roles/editor", null), 404, "RESOURCE_NOT_FOUND").get("detail").asText());
        assertEquals("[\"editor\"]", status(api.call(root, "GET", "/keys/" + key.key().id(), null), 200, null).get("roles").toString(),
                "the key keeps the name, which grants nothing");

        JsonNode events = status(api.call(root, "GET", "/audit?keyId=role:editor", null), 200, null).get("items");
        assertEquals(List.of("role.delete", "role.update", "role.create"), List.of(events.get(0).get("action").asText(),
                events.get(1).get("action").asText(), events.get(2).get("action").asText()));
        assertEquals(root.key().id(), events.get(1).get("actor").asText());
        assertEquals("[\"[documents:read, documents:write]\",\"[documents:read]\"]", events.get(1).get("changes").get("permissions").toString());
    }

    @Test
    void listingSaysEverySourceAndReadersMayList() {
        status(put(root, "billing", "{\"permissions\":[\"billing:*\"]}"), 200, null);
        for (IssuedKey caller : List.of(root, manager, reader)) {
            JsonNode roles = status(api.call(caller, "GET", "/roles", null), 200, null).get("roles");
            String all = roles.toString();
            assertTrue(all.contains("{\"name\":\"auditor\",\"permissions\":[\"audit:read\"],\"source\":\"policy\"}"), all);
            assertTrue(all.contains("{\"name\":\"reader\",\"permissions\":[\"documents:read\"],\"source\":\"code\"}"), all);
            assertTrue(all.contains("{\"name\":\"billing\",\"permissions\":[\"billing:*\"],\"source\":\"store\"}"), all);
        }
        forbidden(api.call(verifier, "GET", "/roles", null));
        assertEquals(200, api.call(root, "HEAD", "/roles", null).status());
        status(api.call(root, "DELETE", "/roles/billing", null), 204, null);
    }

    @Test
    void onlyAdminsWriteAndFixedRolesAreReadOnly() {
        for (IssuedKey caller : List.of(manager, reader, verifier)) {
            forbidden(put(caller, "editor", "{\"permissions\":[\"documents:write\"]}"));
            forbidden(api.call(caller, "DELETE", "/roles/reader", null));
        }
        JsonNode code = status(put(root, "reader", "{\"permissions\":[\"documents:*\"]}"), 409, "CONFLICT");
        assertTrue(code.get("detail").asText().contains("source code"), code.toString());
        JsonNode policy = status(api.call(root, "DELETE", "/roles/auditor", null), 409, "CONFLICT");
        assertTrue(policy.get("detail").asText().contains("source policy"), policy.toString());
        assertEquals("VALID", verify(h.issue(NewKey.builder("r_live").roles(Set.of("reader"))), "documents:read"), "unchanged");
        status(api.call(root, "GET", "/roles/reader", null), 405, "METHOD_NOT_ALLOWED");
    }

    @Test
    void badInputIsA400NamingTheFieldNeverA500() {
        assertEquals(List.of("permissions"), fields(status(put(root, "editor", "{\"permissions\":\"documents:read\"}"), 400, "INVALID_REQUEST")));
        assertEquals(List.of("permissions[1]"), fields(status(put(root, "editor", "{\"permissions\":[\"a:b\",\"nocolon\"]}"), 400, "INVALID_REQUEST")));
        assertEquals(List.of("permissions[0]"), fields(status(put(root, "editor", "{\"permissions\":[7]}"), 400, "INVALID_REQUEST")));
        assertEquals(List.of("permissions"), fields(status(put(root, "editor", "{}"), 400, "INVALID_REQUEST")));
        assertEquals(List.of("permissions"), fields(status(put(root, "editor", "{\"permissions\":null}"), 400, "INVALID_REQUEST")));
        assertEquals(List.of("name", "permissions"), fields(status(put(root, "x".repeat(65), "{\"permissions\":{}}"), 400, "INVALID_REQUEST")));
        assertEquals(List.of("name"), fields(status(put(root, "", "{\"permissions\":[]}"), 400, "INVALID_REQUEST")));
        assertEquals(List.of("name"), fields(status(put(root, "a%20b", "{\"permissions\":[]}"), 400, "INVALID_REQUEST")));
        assertEquals(List.of("name"), fields(status(api.call(root, "DELETE", "/roles/a%2Cb", null), 400, "INVALID_REQUEST")));
        assertEquals(List.of("<field>", "source"), fields(status(put(root, "editor", "{\"permissions\":[],\"x y\":1,\"source\":\"code\"}"), 400, "INVALID_REQUEST")));
        status(put(root, "editor", "[\"documents:read\"]"), 400, "INVALID_REQUEST");
        status(put(root, "editor", "{\"permissions\":["), 400, "INVALID_REQUEST");
        status(put(root, "editor", ""), 400, "INVALID_REQUEST");
        assertTrue(status(api.call(root, "GET", "/roles", null), 200, null).get("roles").toString().indexOf("editor") < 0, "nothing was stored");
    }

    @Test
    void grantsSeeRuntimeRolesAndUndefinedOnesAreRefused() {
        assertEquals("roles: names a role that is not defined",
                status(api.call(manager, "POST", "/keys", "{\"roles\":[\"publisher\"]}"), 400, "INVALID_REQUEST").get("detail").asText());
        status(put(root, "publisher", "{\"permissions\":[\"documents:write\"]}"), 200, null);
        status(api.call(manager, "POST", "/keys", "{\"roles\":[\"publisher\"]}"), 201, null);
        status(put(root, "publisher", "{\"permissions\":[\"documents:write\",\"keys:admin\"]}"), 200, null);
        forbidden(api.call(manager, "POST", "/keys", "{\"roles\":[\"publisher\"]}"));
        status(api.call(root, "DELETE", "/roles/publisher", null), 204, null);
    }
}
