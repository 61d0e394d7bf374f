package dev.keys.servlet;

import dev.keys.servlet.harness.JettyHarness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.Quota;
import dev.keys.api.QuotaPeriod;
import dev.keys.api.RateLimit;
import dev.keys.core.authz.RouteTable;
import dev.keys.core.authz.Roles;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.limit.Tiers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.keys.servlet.harness.JettyHarness.problem;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import static org.junit.jupiter.api.Assertions.*;

/** Rate limits, tiers, quotas and remaining uses as the real verifier enforces them, seen over HTTP. */
class LimitsTest {
    static JettyHarness h;
    static final Tiers TIERS = Tiers.builder()
            .tier("free", List.of(new RateLimit("burst", 2, Duration.ofSeconds(1))), Optional.of(new Quota(5, QuotaPeriod.DAY)))
            .build();

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness(Roles.builder().role("reader", List.of("documents:read")).build(), TIERS);
        RouteTable routes = RouteTable.parse("""
                GET /api/documents/** -> documents:read
                GET /api/open/** -> NONE
                """);
        h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).routes(routes).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .servlet("/admin/*", KeyAdminServlet.builder(h.keys).clock(h.clock).build())
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            h.assertNoLeaks();
        } finally {
            h.close();
        }
    }

    static Exchange open(IssuedKey k) {
        return h.get("/api/open/x", "X-API-Key", k.plaintext());
    }

    static Map<String, Map<String, Object>> fields(String value) {
        Map<String, Map<String, Object>> out = new java.util.LinkedHashMap<>();
        for (StructuredFields.Item i : StructuredFields.parseList(value)) {
            assertInstanceOf(String.class, i.value(), "names are sf-strings: " + value);
            out.put((String) i.value(), i.params());
        }
        return out;
    }

    @Test
    void passingRequestsCarryRateLimitAndTheThirdInASecondIs429() {
        IssuedKey k = h.issue(NewKey.builder("sk_live").ratelimits(new RateLimit("burst", 2, Duration.ofSeconds(1)),
                new RateLimit("sustained", 5, Duration.ofMinutes(1))));
        Exchange first = open(k);
        assertEquals(200, first.status());
        assertEquals("\"burst\";q=2;w=1, \"sustained\";q=5;w=60", first.header("RateLimit-Policy"));
        assertEquals(Map.of("burst", Map.<String, Object>of("r", 1L, "t", 1L), "sustained", Map.<String, Object>of("r", 4L, "t", 12L)),
                fields(first.header("RateLimit")));
        assertNull(first.header("RateLimit-Limit"));
        assertNull(first.header("RateLimit-Remaining"));
        assertNull(first.header("RateLimit-Reset"));
        assertEquals(200, open(k).status());

        Exchange limited = open(k);
        JsonNode b = problem(limited, 429, "RATE_LIMITED", "Rate limit exceeded");
        assertFalse(b.get("detail").asText().isBlank());
        assertEquals("1", limited.header("Retry-After"));
        assertEquals("\"burst\";q=2;w=1, \"sustained\";q=5;w=60", limited.header("RateLimit-Policy"));
        Map<String, Map<String, Object>> state = fields(limited.header("RateLimit"));
        assertEquals(0L, state.get("burst").get("r"));
        assertEquals(1L, state.get("burst").get("t"));
        assertEquals(3L, state.get("sustained").get("r"));
        assertNull(limited.header("WWW-Authenticate"));

        h.clock.advance(Duration.ofSeconds(1));
        assertEquals(200, open(k).status());
    }

    @Test
    void aTierAppliesItsLimitsAndItsDailyQuota() {
        IssuedKey k = h.issue(NewKey.builder("sk_live").tier("free"));
        Exchange e = open(k);
        assertEquals(200, e.status());
        Map<String, Map<String, Object>> policy = fields(e.header("RateLimit-Policy"));
        assertEquals(Map.of("q", 2L, "w", 1L), policy.get("burst"));
        for (int i = 2; i <= 5; i++) {
            h.clock.advance(Duration.ofSeconds(1));
            assertEquals(200, open(k).status(), "request " + i);
        }
        h.clock.advance(Duration.ofSeconds(1));
        Exchange spent = open(k);
        problem(spent, 429, "USAGE_EXCEEDED", "Usage exceeded");
        long retry = Long.parseLong(spent.header("Retry-After"));
        long untilMidnight = Duration.between(h.clock.instant(), h.clock.instant().atZone(java.time.ZoneOffset.UTC).toLocalDate()
                .plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()).toSeconds();
        assertTrue(retry >= untilMidnight && retry <= untilMidnight + 1, retry + " vs " + untilMidnight);
    }

    @Test
    void spentRemainingUsesAnswer429WithoutRetryAfter() {
        IssuedKey k = h.issue(NewKey.builder("sk_live").remaining(2));
        assertEquals(200, open(k).status());
        assertEquals(200, open(k).status());
        Exchange e = open(k);
        JsonNode b = problem(e, 429, "USAGE_EXCEEDED", "Usage exceeded");
        assertEquals("no remaining uses", b.get("detail").asText());
        assertNull(e.header("Retry-After"), "uses that never come back have no time to retry after");
    }

    @Test
    void answers401And403NeverConsumeLimitsOrUses() {
        IssuedKey k = h.issue(NewKey.builder("sk_live").remaining(1).ratelimits(new RateLimit("burst", 1, Duration.ofHours(1))));
        for (int i = 0; i < 3; i++) {
            problem(h.get("/api/documents/1", "X-API-Key", k.plaintext()), 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
            problem(h.get("/api/unrouted", "X-API-Key", k.plaintext()), 403, "FORBIDDEN", "Forbidden");
        }
        h.keys.manager().disable(k.key().id(), KeyManager.SYSTEM, Optional.empty());
        for (int i = 0; i < 3; i++) problem(open(k), 403, "DISABLED", "Disabled key");
        h.keys.manager().enable(k.key().id(), KeyManager.SYSTEM);
        IssuedKey expiring = h.issue(NewKey.builder("sk_live").ratelimits(new RateLimit("burst", 1, Duration.ofHours(1)))
                .expiresAt(h.clock.instant().plusSeconds(3600)));
        assertEquals(200, open(k).status(), "the one token and the one use were still there");
        problem(open(k), 429, "RATE_LIMITED", "Rate limit exceeded");
        assertEquals(200, open(expiring).status());
    }

    @Test
    void verifyAnswersRemainingUsesAndRateLimits() {
        IssuedKey caller = h.issue(NewKey.builder("ops_live").permissions(KeyAdminServlet.ADMIN));
        IssuedKey k = h.issue(NewKey.builder("sk_live").remaining(3).ratelimits(new RateLimit("burst", 10, Duration.ofSeconds(1)))
                .roles(Set.of("reader")));
        JsonNode v = h.json("POST", "/admin/keys/verify", "{\"key\":\"" + k.plaintext() + "\",\"permissions\":[\"documents:read\"]}",
                "X-API-Key", caller.plaintext()).json();
        assertEquals("VALID", v.get("code").asText());
        assertEquals(2, v.get("remaining").asLong());
        assertEquals("[{\"name\":\"burst\",\"limit\":10,\"window\":1,\"remaining\":9,\"reset\":1}]", v.get("ratelimits").toString());
        JsonNode denied = h.json("POST", "/admin/keys/verify", "{\"key\":\"" + k.plaintext() + "\",\"permissions\":[\"billing:read\"]}",
                "X-API-Key", caller.plaintext()).json();
        assertEquals("INSUFFICIENT_PERMISSIONS", denied.get("code").asText());
        assertEquals(2, denied.get("remaining").asLong(), "a denied permission uses nothing");
    }
}
