package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimitStatus;
import dev.keys.api.Verification;
import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import static dev.keys.servlet.harness.JettyHarness.problem;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What integrations (Spring Security, WebFlux) call around the filter: {@link ApiKeyFilter#deny} answers a denial
 * decided outside the filter as the filter answers its own; {@link CredentialSources#carriesCredential} tells
 * whether a request brings a key before the filter runs.
 */
class IntegrationHooksTest {
    static JettyHarness h;
    static ApiKeyFilter filter;
    static final CredentialSources QUERY = CredentialSources.builder().bearer(false).headers().queryParameter("api_key").build();

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness();
        filter = ApiKeyFilter.builder(h.keys.verifier()).realm("shop").opaque(true).build();
        h.servlet("/deny/*", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
                Outcome o = Outcome.valueOf(req.getPathInfo().substring(1));
                filter.deny(req, res, new Verification.Denied(o, "decided elsewhere", Optional.empty(), DenialHeadersTest.report(2,
                        List.of(new RateLimitStatus("burst", 10, 1, 0, 2)))));
            }
        }).servlet("/carries/*", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
                res.getWriter().write(CredentialSources.defaults().carriesCredential(req) + " " + QUERY.carriesCredential(req));
            }
        }).start();
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @Test
    void insufficientPermissionsCarriesTheFiltersRealmAndScopeError() {
        Exchange e = h.get("/deny/INSUFFICIENT_PERMISSIONS");
        JsonNode b = problem(e, 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        assertEquals("decided elsewhere", b.get("detail").asText());
        assertEquals("Bearer realm=\"shop\", error=\"insufficient_scope\"", e.header("WWW-Authenticate"));
    }

    @Test
    void missingChallengesWithoutAnErrorAndOpaqueModeHoldsToo() {
        Exchange e = h.get("/deny/MISSING");
        problem(e, 401, "MISSING", "Missing credential");
        assertEquals("Bearer realm=\"shop\"", e.header("WWW-Authenticate"));
        Exchange revoked = h.get("/deny/REVOKED");
        assertEquals("NOT_FOUND", problem(revoked, 401, "NOT_FOUND", revoked.json().get("title").asText()).get("code").asText());
    }

    @Test
    void rateLimitedCarriesRetryAfterAndTheFields() {
        Exchange e = h.get("/deny/RATE_LIMITED");
        problem(e, 429, "RATE_LIMITED", "Rate limit exceeded");
        assertEquals("2", e.header("Retry-After"));
        assertEquals("\"burst\";q=10;w=1", e.header("RateLimit-Policy"));
    }

    @Test
    void aFilterDeclaredByInitParamsCannotDenyBeforeInit() {
        assertThrows(IllegalStateException.class, () -> new ApiKeyFilter().deny(null, null, new Verification.Denied(Outcome.MISSING, "x")));
    }

    @Test
    void carriesCredentialSeesEverySourceEvenWhenAmbiguousOrEmpty() {
        assertEquals("false false", h.get("/carries/x").body());
        assertEquals("false false", h.get("/carries/x", "Authorization", "Basic dTpw").body());
        assertEquals("true false", h.get("/carries/x", "Authorization", "Bearer x").body());
        assertEquals("true false", h.get("/carries/x", "Authorization", "Bearer").body());
        assertEquals("true false", h.get("/carries/x", "X-API-Key", "").body());
        assertEquals("true false", h.get("/carries/x", "X-API-Key", "a", "Authorization", "Bearer b").body());
        assertEquals("false true", h.get("/carries/x?q=1&api_key=x").body());
        assertEquals("false false", h.get("/carries/x?api_keys=x").body());
    }
}
