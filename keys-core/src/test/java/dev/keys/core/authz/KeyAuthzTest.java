package dev.keys.core.authz;

import static dev.keys.core.authz.IpConditionTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keys.api.ApiKey;
import dev.keys.api.Clock;
import dev.keys.api.Environment;
import dev.keys.api.Outcome;
import dev.keys.api.RequestContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyAuthzTest {
    private static final long NOON_FRIDAY = Clock.toNanos(Instant.parse("2025-03-07T12:00:00Z"));
    private final Roles roles = Roles.builder()
            .role("reader", Set.of("documents:read"))
            .role("admin", Set.of("keys:admin", "documents:*"))
            .build();

    private static RequestContext from(String address) {
        return RequestContext.of("GET", "/x").withClientAddress(ip(address));
    }

    @Test
    void allowedIsTheSingleton() {
        KeyAuthz k = KeyAuthz.compile(Keys.key().roles(Set.of("reader")).build(), roles);
        assertSame(Decision.ALLOW, k.check(RequestContext.NONE, NOON_FRIDAY, Requirement.parse("documents:read")));
        assertSame(Decision.ALLOW, k.check(RequestContext.NONE, NOON_FRIDAY, Requirement.NONE));
        assertTrue(Decision.ALLOW.allowed());
        assertEquals(Outcome.VALID, Decision.ALLOW.outcome());
    }

    @Test
    void missingPermissionIsNamed() {
        KeyAuthz k = KeyAuthz.compile(Keys.key().roles(Set.of("reader")).permissions(Set.of("billing:read")).build(), roles);
        Decision d = k.check(RequestContext.NONE, NOON_FRIDAY, Requirement.parse("documents:write AND (billing:read OR admin:*)"));
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, d.outcome());
        assertEquals("missing permission documents:write", d.reason());
        assertFalse(d.allowed());
    }

    @Test
    void keyAllowlistIsCheckedBeforeThePermissionQuery() {
        ApiKey key = Keys.key().ipAllowlist(List.of("10.0.0.0/8", "2001:db8::1")).build();
        KeyAuthz k = KeyAuthz.compile(key, roles);
        Requirement needsAdmin = Requirement.parse("keys:admin");
        Decision d = k.check(from("192.0.2.1"), NOON_FRIDAY, needsAdmin);
        assertEquals(Outcome.FORBIDDEN, d.outcome());
        assertEquals("key condition failed: ip 10.0.0.0/8, 2001:db8::1", d.reason());
        assertSame(d, k.check(from("192.0.2.2"), NOON_FRIDAY, needsAdmin), "key denials are compiled once");
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, k.check(from("10.1.1.1"), NOON_FRIDAY, needsAdmin).outcome());
        assertSame(Decision.ALLOW, k.check(from("2001:db8::1"), NOON_FRIDAY, Requirement.NONE));
        assertEquals(Outcome.FORBIDDEN, k.check(RequestContext.NONE, NOON_FRIDAY, Requirement.NONE).outcome(),
                "no client address fails an allowlist");
    }

    @Test
    void theUnmatchedRequirementDeniesAfterTheKeysOwnConditions() {
        KeyAuthz admin = KeyAuthz.compile(Keys.key().roles(Set.of("admin")).build(), roles);
        Decision d = admin.check(RequestContext.NONE, NOON_FRIDAY, Requirement.UNMATCHED);
        assertEquals(Outcome.FORBIDDEN, d.outcome());
        assertEquals("no route allows this request", d.reason());
        assertSame(d, admin.check(from("10.0.0.1"), NOON_FRIDAY, Requirement.UNMATCHED), "compiled once");
        KeyAuthz fenced = KeyAuthz.compile(Keys.key().ipAllowlist(List.of("10.0.0.0/8")).build(), roles);
        assertEquals("key condition failed: ip 10.0.0.0/8", fenced.check(from("192.0.2.1"), NOON_FRIDAY, Requirement.UNMATCHED).reason());
        assertEquals("no route allows this request", fenced.check(from("10.0.0.1"), NOON_FRIDAY, Requirement.UNMATCHED).reason());
        assertSame(Requirement.UNMATCHED, RouteMatch.NoMatch.DENIED.requirement());
        assertSame(Requirement.NONE, RouteMatch.NoMatch.ALLOWED.requirement());
        assertFalse(Requirement.NONE.unmatched());
        assertFalse(Requirement.parse("documents:read").unmatched());
        assertThrows(IllegalArgumentException.class, () -> new Requirement(PermissionQuery.parse("a:b"), List.of(), true));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            NONE [env live]                                   | VALID      |
            NONE [env test]                                   | FORBIDDEN  | route condition failed: env test
            NONE [request.tier = gold]                        | VALID      |
            NONE [request.tier = silver]                      | FORBIDDEN  | route condition failed: request.tier = silver
            NONE [request.tier in silver, gold]               | VALID      |
            NONE [request.missing = x]                        | FORBIDDEN  | route condition failed: request.missing = x
            NONE [key.region = eu]                            | VALID      |
            NONE [key.region in us, ap]                       | FORBIDDEN  | route condition failed: key.region in us, ap
            NONE [ip 10.0.0.0/8]                              | VALID      |
            NONE [ip 192.168.0.0/16]                          | FORBIDDEN  | route condition failed: ip 192.168.0.0/16
            NONE [time Mon-Fri 09:00-17:00]                   | VALID      |
            NONE [time Sat-Sun 09:00-17:00]                   | FORBIDDEN  | route condition failed: time Sat,Sun 09:00-17:00 UTC
            keys:admin [env live]                             | INSUFFICIENT_PERMISSIONS | missing permission keys:admin
            keys:admin [env test]                             | FORBIDDEN  | route condition failed: env test
            documents:read [env live] [key.region = eu]       | VALID      |
            """)
    void routeConditions(String requirement, Outcome outcome, String reason) {
        ApiKey key = Keys.key().environment(Environment.LIVE).roles(Set.of("reader")).meta(dev.keys.api.JsonValue.strings(Map.of("region", "eu"))).build();
        RequestContext ctx = from("10.0.0.1").withAttributes(Map.of("tier", "gold"));
        Decision d = KeyAuthz.compile(key, roles).check(ctx, NOON_FRIDAY, Requirement.parse(requirement));
        assertEquals(outcome, d.outcome());
        assertEquals(reason == null ? "" : reason, d.reason());
    }

    @Test
    void storedDataThatDoesNotParseFailsClosed() {
        ApiKey key = Keys.key().roles(Set.of("reader", "ghost")).permissions(Set.of("bad", "billing:read")).ipAllowlist(List.of("nope")).build();
        KeyAuthz k = KeyAuthz.compile(key, roles);
        assertEquals(Set.of("ghost"), k.unknownRoles());
        assertEquals(3, k.problems().size(), k.problems().toString());
        assertTrue(k.permits(PermissionQuery.parse("documents:read AND billing:read")));
        assertEquals(Outcome.FORBIDDEN, k.check(from("10.0.0.1"), NOON_FRIDAY, Requirement.NONE).outcome());
    }

    @Test
    void extraKeyConditionsComeAfterTheAllowlist() {
        ApiKey key = Keys.key().environment(Environment.TEST).build();
        KeyAuthz k = KeyAuthz.compile(key, roles, List.of(Condition.parse("env live")));
        assertEquals("key condition failed: env live", k.check(RequestContext.NONE, NOON_FRIDAY, Requirement.NONE).reason());
    }

    @Test
    void requirementText() {
        Requirement r = Requirement.parse("keys:admin AND (a:b OR c:d) [ip 10.0.0.0/8] [env live]");
        assertEquals("keys:admin AND (a:b OR c:d) [ip 10.0.0.0/8] [env live]", r.toString());
        assertEquals(r.toString(), Requirement.parse(r.toString()).toString());
        assertEquals("NONE", Requirement.parse("").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Requirement.parse("a:b [colour red]"));
        assertEquals("condition at position 4: unknown condition \"colour red\": expected ip, env, time, request.<name> or key.<name>", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Requirement.parse("a:b [env live"));
        assertThrows(IllegalArgumentException.class, () -> Requirement.parse("a:b [env live] x"));
        assertThrows(IllegalArgumentException.class, () -> Requirement.parse("a:b [request.x = a b]"));
        assertThrows(IllegalArgumentException.class, () -> Requirement.parse("a:b [env prod]"));
        assertThrows(IllegalArgumentException.class, () -> Requirement.parse("a:b [ip]"));
        QuerySyntaxException q = assertThrows(QuerySyntaxException.class, () -> Requirement.parse("a:b AND [env live]"));
        assertEquals(8, q.position());
    }

    @Test
    void keyConditionsMatchMetaStringsNumbersAndBooleansButNeverNullsArraysOrObjects() {
        ApiKey key = Keys.key().roles(Set.of("reader")).meta(Map.of("region", dev.keys.api.JsonValue.of("eu"), "level", dev.keys.api.JsonValue.parse("3.0"),
                "beta", dev.keys.api.JsonValue.of(true), "none", dev.keys.api.JsonValue.Null.NULL, "list", dev.keys.api.JsonValue.parse("[\"eu\"]"),
                "text3", dev.keys.api.JsonValue.of("3"))).build();
        KeyAuthz authz = KeyAuthz.compile(key, roles);
        Map<String, Outcome> cases = Map.of(
                "documents:read [key.region = eu]", Outcome.VALID,
                "documents:read [key.level = 3]", Outcome.VALID,
                "documents:read [key.level in 2, 3]", Outcome.VALID,
                "documents:read [key.beta = true]", Outcome.VALID,
                "documents:read [key.beta = yes]", Outcome.FORBIDDEN,
                "documents:read [key.none = null]", Outcome.FORBIDDEN,
                "documents:read [key.list = eu]", Outcome.FORBIDDEN,
                "documents:read [key.text3 = 3]", Outcome.VALID,
                "documents:read [key.missing = x]", Outcome.FORBIDDEN);
        cases.forEach((req, outcome) -> assertEquals(outcome, authz.check(RequestContext.NONE, NOON_FRIDAY, Requirement.parse(req)).outcome(), req));
    }
}
