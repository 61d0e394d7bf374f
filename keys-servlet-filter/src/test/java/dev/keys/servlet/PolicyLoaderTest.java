package dev.keys.servlet;

import dev.keys.core.authz.Policy;
import dev.keys.core.authz.QuerySyntaxException;
import dev.keys.core.authz.Roles;
import dev.keys.core.authz.Route;
import dev.keys.core.authz.RouteMatch;
import dev.keys.core.authz.TrustedProxies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyLoaderTest {

    static final String YAML = """
            roles:
              reader: [documents:read]
              admin:
                - keys:admin
                - documents:*
            routes:
              - "GET /documents/** -> documents:read"
              - methods: [POST, PUT]
                path: /documents
                query: documents:write AND (billing:read OR admin:*)
                conditions: ["ip 10.0.0.0/8", "env live"]
              - method: GET
                path: /health
            unmatched: deny
            caseInsensitive: false
            trustedProxies: [10.0.0.0/8, "2001:db8::/32"]
            """;

    static final String JSON = """
            {
              "roles": {"reader": ["documents:read"], "admin": ["keys:admin", "documents:*"]},
              "routes": [
                "GET /documents/** -> documents:read",
                {"methods": ["POST", "PUT"], "path": "/documents",
                 "query": "documents:write AND (billing:read OR admin:*)", "conditions": ["ip 10.0.0.0/8", "env live"]},
                {"method": "GET", "path": "/health"}
              ],
              "unmatched": "deny",
              "caseInsensitive": false,
              "trustedProxies": ["10.0.0.0/8", "2001:db8::/32"]
            }
            """;

    @Test
    void tenantsHaveCeilingsAndTheOthersTheDefault() {
        Policy p = PolicyLoader.loadYaml("""
                roles:
                  reader: [documents:read]
                tenants:
                  acme:
                    ceiling: {permissions: ["documents:*"], roles: [reader]}
                  globex:
                    ceiling: {}
                """);
        assertEquals(Map.of("acme", new Policy.Ceiling(Set.of("documents:*"), Set.of("reader")),
                "globex", new Policy.Ceiling(Set.of(), Set.of())), p.ceilings());
        assertEquals(Map.of(), PolicyLoader.loadYaml("roles: {}").ceilings());
    }

    private static void assertLoaded(Policy p) {
        assertEquals(Set.of("reader", "admin"), p.roles().names());
        assertTrue(p.roles().flatten(Set.of("admin"), Set.of()).implies("documents:delete"));
        List<Route> routes = p.routes().routes();
        assertEquals(3, routes.size());
        assertEquals("POST,PUT /documents -> documents:write AND (billing:read OR admin:*) [ip 10.0.0.0/8] [env live]", routes.get(1).toString());
        assertEquals("GET /health -> NONE", routes.get(2).toString());
        assertSame(RouteMatch.NoMatch.DENIED, p.routes().match("GET", "/other"));
        assertFalse(p.routes().caseInsensitive());
        assertEquals(List.of("10.0.0.0/8", "2001:db8::/32"), p.trustedProxies().ranges());
    }

    @Test
    void yaml() {
        assertLoaded(PolicyLoader.loadYaml(YAML));
    }

    @Test
    void json() {
        assertLoaded(PolicyLoader.loadJson(JSON));
    }

    @Test
    void filesByExtension(@TempDir Path dir) throws IOException {
        Path y = Files.writeString(dir.resolve("policy.yml"), YAML);
        Path j = Files.writeString(dir.resolve("policy.json"), JSON);
        assertLoaded(PolicyLoader.load(y));
        assertLoaded(PolicyLoader.load(j));
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "routes: [\"GET /a -> a:b AND\"]");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PolicyLoader.load(bad));
        assertTrue(e.getMessage().startsWith("bad.yaml: routes[0]: "), e.getMessage());
    }

    @Test
    void emptyPolicyDeniesEverything() {
        Policy p = PolicyLoader.loadJson("{}");
        assertSame(Roles.EMPTY, p.roles());
        assertSame(TrustedProxies.NONE, p.trustedProxies());
        assertSame(RouteMatch.NoMatch.DENIED, p.routes().match("GET", "/"));
        assertSame(RouteMatch.NoMatch.ALLOWED, PolicyLoader.loadYaml("unmatched: allow").routes().match("GET", "/"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"rutes": []}                                             | policy: rutes: unknown field (expected roles, routes, unmatched, caseInsensitive, trustedProxies, tenants)
            {"roles": {"r": ["a:b"]}, "roles": {}}                     | policy: line 1, column 34: Duplicate field 'roles'
            {"tenants": []}                                            | policy: tenants: expected an object of tenant name to {ceiling: ...}
            {"tenants": {"acme": {}}}                                  | policy: tenants.acme.ceiling: missing
            {"tenants": {"acme": {"ceilng": {}}}}                      | policy: tenants.acme.ceilng: unknown field (expected ceiling)
            {"tenants": {"acme": {"ceiling": {"perms": []}}}}          | policy: tenants.acme.ceiling.perms: unknown field (expected permissions, roles)
            {"tenants": {"acme": {"ceiling": {"permissions": ["x"]}}}} | policy: tenants.acme.ceiling.permissions[0]: invalid permission "x": only one segment; expected resource:action[:instance]
            {"tenants": {"acme": {"ceiling": {"roles": ["ghost"]}}}}   | policy: tenants.acme.ceiling.roles[0]: not a role defined under roles
            {"roles": {"r": ["a:b", "nope"]}}                          | policy: roles.r[1]: invalid permission "nope": only one segment; expected resource:action[:instance]
            {"roles": {"r": "a:b"}}                                    | policy: roles.r: expected a list of strings
            {"roles": {"r": [1]}}                                      | policy: roles.r[0]: expected a string
            {"roles": {"a b": []}}                                     | policy: roles.a b: invalid role name "a b": use 1 to 64 of A-Z a-z 0-9 . _ : -
            {"routes": {"GET /a": "a:b"}}                              | policy: routes: expected a list of routes, in order
            {"routes": ["GET /a -> a:b", "GET /b"]}                    | policy: routes[1]: expected 'METHOD pattern -> query [condition]...', found no '->'
            {"routes": ["GET /a -> a:b OR"]}                           | policy: routes[0]: in query "a:b OR": expected permission or '(' at position 6, found end of query
            {"routes": [{"path": "/a", "query": "a:b c:d"}]}           | policy: routes[0].query: expected AND, OR, ')' or end of query at position 4, found 'c:d'
            {"routes": [{"path": "/a", "conditions": ["env prod"]}]}   | policy: routes[0].conditions[0]: env: "prod": environment must be live or test
            {"routes": [{"path": "/a", "quer": "a:b"}]}                | policy: routes[0].quer: unknown field (expected methods (or method), path, query, conditions)
            {"routes": [{"query": "a:b"}]}                             | policy: routes[0].path: missing
            {"routes": [{"path": "/a/../b"}]}                          | policy: routes[0]: pattern "/a/../b" is not in normalised form; write "/b"
            {"routes": [{"method": "get", "path": "/a"}]}              | policy: routes[0]: method "get" must be upper case (HTTP methods are case-sensitive)
            {"routes": [{"method": "GET", "methods": ["GET"], "path": "/a"}]} | policy: routes[0]: give method or methods, not both
            {"unmatched": "maybe"}                                     | policy: unmatched: expected deny or allow, found "maybe"
            {"caseInsensitive": "yes"}                                 | policy: caseInsensitive: expected true or false
            {"trustedProxies": ["10.0.0.1/8"]}                         | policy: trustedProxies[0]: invalid CIDR "10.0.0.1/8": address has bits set beyond the /8 prefix
            []                                                         | policy: expected an object at the top, with roles, routes, ...
            ''                                                         | policy: the document is empty
            """)
    void badJsonNamesTheField(String json, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PolicyLoader.loadJson(json));
        assertEquals(message, e.getMessage());
    }

    @Test
    void queryErrorsKeepTheirPosition() {
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class,
                () -> PolicyLoader.loadYaml("routes:\n  - path: /a\n    query: \"a:b AND (c:d\"\n"));
        assertEquals(12, e.position());
        assertTrue(e.getMessage().startsWith("policy: routes[0].query: expected AND, OR or ')'"), e.getMessage());
    }

    @Test
    void badYamlNamesTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PolicyLoader.loadYaml("roles:\n  reader: [documents:read\nroutes: []\n"));
        assertTrue(e.getMessage().startsWith("policy: line "), e.getMessage());
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> PolicyLoader.loadYaml("roles:\n  r: [a:b]\n  r: [c:d]\n"));
        assertTrue(dup.getMessage().contains("Duplicate field 'r'"), dup.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> PolicyLoader.loadYaml("routes:\n  - path: /a\n    methds: [GET]\n"));
        assertTrue(unknown.getMessage().startsWith("policy: routes[0].methds: unknown field"), unknown.getMessage());
        assertInstanceOf(IllegalArgumentException.class, unknown);
    }
}
