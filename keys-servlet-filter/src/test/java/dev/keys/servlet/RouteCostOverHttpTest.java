package dev.keys.servlet;

import dev.keys.servlet.harness.JettyHarness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.RateLimit;
import dev.keys.core.authz.Roles;
import dev.keys.core.authz.RouteTable;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.keys.servlet.harness.JettyHarness.problem;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import static org.junit.jupiter.api.Assertions.*;

/** Weighted requests over HTTP: a route's {@code cost=N}, and a cost computed from the request. */
class RouteCostOverHttpTest {
    static JettyHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness(Roles.builder().build());
        RouteTable routes = RouteTable.parse("""
                GET /api/search -> NONE cost=5
                GET /api/** -> NONE
                """);
        h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).routes(routes).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .filter("/batch/*", ApiKeyFilter.builder(h.keys.verifier()).routes(RouteTable.parse("GET /batch/** -> NONE cost=2"))
                        .cost(r -> r.getParameter("n") == null ? 1 : Long.parseLong(r.getParameter("n"))).build())
                .servlet("/batch/*", new JettyHarness.EchoServlet())
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        h.closeAfterLeakCheck();
    }

    static IssuedKey tenPerHour() {
        return h.issue(NewKey.builder("sk_live").ratelimits(new RateLimit("sustained", 10, Duration.ofHours(1))));
    }

    @Test
    void aKeyWithLimitTenIsRefusedTheThirdSearchThatCostsFive() {
        IssuedKey k = tenPerHour();
        Exchange first = h.get("/api/search", "X-API-Key", k.plaintext());
        assertEquals(200, first.status());
        assertEquals("\"sustained\";r=5;t=1800", first.header("RateLimit"));
        assertEquals(200, h.get("/api/search", "X-API-Key", k.plaintext()).status());
        Exchange third = h.get("/api/search", "X-API-Key", k.plaintext());
        JsonNode b = problem(third, 429, "RATE_LIMITED", "Rate limit exceeded");
        assertNotNull(b);
        assertEquals("1800", third.header("Retry-After"));
        assertEquals("\"sustained\";q=10;w=3600", third.header("RateLimit-Policy"));
    }

    @Test
    void otherRoutesStillCostOne() {
        IssuedKey k = tenPerHour();
        assertEquals(200, h.get("/api/search", "X-API-Key", k.plaintext()).status());
        for (int i = 0; i < 5; i++) assertEquals(200, h.get("/api/other", "X-API-Key", k.plaintext()).status(), "request " + i);
        assertEquals(429, h.get("/api/other", "X-API-Key", k.plaintext()).status());
    }

    @Test
    void aConfiguredFunctionOfTheRequestReplacesTheRoutesCost() {
        IssuedKey k = tenPerHour();
        assertEquals(200, h.get("/batch/search?n=7", "X-API-Key", k.plaintext()).status());
        assertEquals(429, h.get("/batch/search?n=4", "X-API-Key", k.plaintext()).status());
        assertEquals(200, h.get("/batch/search?n=3", "X-API-Key", k.plaintext()).status());
    }
}
