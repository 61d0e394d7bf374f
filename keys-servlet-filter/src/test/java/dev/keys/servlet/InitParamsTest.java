package dev.keys.servlet;

import dev.keys.servlet.harness.JettyHarness;

import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

import static dev.keys.servlet.harness.JettyHarness.problem;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import static org.junit.jupiter.api.Assertions.*;

/** The filter and the admin servlet declared by class name, configured by init-params and a JSON policy file. */
class InitParamsTest {
    static JettyHarness h;
    static final dev.keys.core.authz.Roles ROLES = dev.keys.core.authz.Roles.builder().role("superuser", java.util.List.of("keys:admin")).build();
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness(ROLES);
        Path policy = dir.resolve("keys-policy.json");
        Files.writeString(policy, """
                {"realm": "from-file", "opaque": true, "hideCredentials": true, "storeRetryAfter": "PT5S",
                 "credentials": {"bearer": false, "headers": ["X-Key"], "queryParameter": "key"},
                 "routes": ["GET /file/** -> NONE", "POST /file/** -> documents:write"],
                 "trustedProxies": ["10.0.0.0/8"]}""");
        h.context.setAttribute("my.keys", h.keys);
        h.context.setAttribute(KeyAdminServlet.DEFAULT_AUDIT_LOG_ATTRIBUTE, h.audit);
        h.context.setAttribute(KeyAdminServlet.DEFAULT_ROLES_ATTRIBUTE, ROLES);

        FilterHolder byParams = new FilterHolder(ApiKeyFilter.class);
        byParams.setInitParameter("keys-attribute", "my.keys");
        byParams.setInitParameter("realm", "params");
        byParams.setInitParameter("headers", "X-Token, X-API-Key");
        byParams.setInitParameter("bearer", "false");
        h.context.addFilter(byParams, "/params/*", EnumSet.of(DispatcherType.REQUEST));

        FilterHolder byFile = new FilterHolder(ApiKeyFilter.class);
        byFile.setInitParameter("keys-attribute", "my.keys");
        byFile.setInitParameter("policy", policy.toString());
        byFile.setInitParameter("realm", "overridden");
        h.context.addFilter(byFile, "/file/*", EnumSet.of(DispatcherType.REQUEST));

        h.context.addServlet(new ServletHolder(new JettyHarness.EchoServlet()), "/params/*");
        h.context.addServlet(new ServletHolder(new JettyHarness.EchoServlet()), "/file/*");
        ServletHolder admin = new ServletHolder(KeyAdminServlet.class);
        admin.setInitParameter("keys-attribute", "my.keys");
        admin.setInitParameter("max-body-bytes", "100");
        admin.setInitOrder(1);
        h.context.addServlet(admin, "/admin/*");
        h.start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            h.assertNoLeaks();
        } finally {
            h.close();
        }
    }

    static IssuedKey issue() {
        return h.issue(NewKey.builder("sk_test").permissions(KeyAdminServlet.ADMIN));
    }

    @Test
    void initParamsChooseTheHeadersAndRealm() {
        IssuedKey k = issue();
        assertEquals(200, h.get("/params/x", "X-Token", k.plaintext()).status());
        assertEquals(200, h.get("/params/x", "X-API-Key", k.plaintext()).status());
        Exchange bearer = h.get("/params/x", "Authorization", "Bearer " + k.plaintext());
        problem(bearer, 401, "MISSING", "Missing credential");
        assertEquals("Bearer realm=\"params\"", bearer.header("WWW-Authenticate"));
        problem(h.get("/params/x", "X-Token", k.plaintext(), "X-API-Key", k.plaintext()), 400, "INVALID_REQUEST", "Invalid request");
    }

    @Test
    void aPolicyFileConfiguresTheFilterAndInitParamsOverrideIt() {
        IssuedKey k = issue();
        Exchange e = h.get("/file/x?key=" + k.plaintext(), "X-Other", "1");
        assertEquals(200, e.status(), e.body());
        assertEquals(200, h.get("/file/x", "X-Key", k.plaintext()).status());
        problem(h.json("POST", "/file/x", "{}", "X-Key", k.plaintext()), 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        problem(h.json("PUT", "/file/x", "{}", "X-Key", k.plaintext()), 403, "FORBIDDEN", "Forbidden");
        h.keys.manager().revoke(k.key().id(), "system", java.util.Optional.empty());
        Exchange revoked = h.get("/file/x", "X-Key", k.plaintext());
        problem(revoked, 401, "NOT_FOUND", "Unknown key");
        assertEquals("Bearer realm=\"overridden\", error=\"invalid_token\"", revoked.header("WWW-Authenticate"));
    }

    @Test
    void theAdminServletFindsItsKeysAndLogsInTheContext() {
        IssuedKey k = issue();
        Exchange e = h.json("GET", "/admin/audit?keyId=" + k.key().id(), null, "X-API-Key", k.plaintext());
        assertEquals(200, e.status(), e.body());
        assertEquals("create", e.json().get("items").get(0).get("action").asText());
        problem(h.json("GET", "/admin/keys/" + k.key().id() + "/usage", null, "X-API-Key", k.plaintext()), 404, "RESOURCE_NOT_FOUND", "Not found");
        problem(h.json("POST", "/admin/keys", "{\"prefix\":\"" + "a".repeat(100) + "\"}", "X-API-Key", k.plaintext()),
                413, "PAYLOAD_TOO_LARGE", "Payload too large");
        // the roles in the context make a role-granted keys:admin a caller
        IssuedKey viaRole = h.issue(NewKey.builder("sk_test").roles(java.util.Set.of("superuser")));
        assertEquals(200, h.json("GET", "/admin/keys/" + k.key().id(), null, "X-API-Key", viaRole.plaintext()).status());
    }

    @Test
    void policyErrorsNameTheField() throws Exception {
        var b = ApiKeyFilter.builder(h.keys.verifier());
        for (String[] c : new String[][] {
                {"{\"realm\": 1}", "realm: must be a string"},
                {"{\"colour\": 1}", "colour: unknown field"},
                {"{\"credentials\": {\"headers\": \"X-Key\"}}", "credentials.headers: must be an array of header names"},
                {"{\"credentials\": {\"bearer\": false, \"headers\": []}}", "credentials: no credential source is configured"},
                {"{\"storeRetryAfter\": \"soon\"}", "storeRetryAfter: not an ISO-8601 duration"},
                {"{\"opaque\": \"yes\"}", "opaque: must be true or false"},
                {"{\"roles\": {}}", "roles: define roles on the verifier (Verifier.Builder.roles), not in the filter's policy"},
                {"{\"routes\": [\"GET /x -> documents\"]}", null},
                {"{\"trustedProxies\": [\"10.0.0.1/8\"]}", null}}) {
            Path p = dir.resolve("bad.json");
            Files.writeString(p, c[0]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.policy(p), c[0]);
            if (c[1] != null) assertEquals(c[1], e.getMessage());
            else assertTrue(e.getMessage().startsWith(c[0].substring(2, c[0].indexOf('"', 2)) + "[0]"), e.getMessage());
        }
    }
}
