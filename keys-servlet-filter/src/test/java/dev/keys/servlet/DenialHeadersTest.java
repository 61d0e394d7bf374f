package dev.keys.servlet;

import dev.keys.servlet.harness.JettyHarness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimitReport;
import dev.keys.api.RateLimitStatus;
import dev.keys.api.Verification;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.verify.CredentialVerifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.keys.servlet.harness.JettyHarness.problem;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The answers for outcomes that come from route requirements and limits (403 permission and condition denials,
 * 429 with the RateLimit fields), written from the verifier's result. The filter is built on a verifier that
 * verifies the key for real and then attaches a denial or a rate-limit report chosen by the test through the path
 * ({@code /api/outcome/<OUTCOME>}): any {@code CredentialVerifier} plugs in, no test hook in the filter.
 */
class DenialHeadersTest {
    static JettyHarness h;
    static final String OUTCOME = "/api/outcome/";
    static final AtomicInteger checks = new AtomicInteger();
    static final List<RateLimitStatus> STATUSES = List.of(
            new RateLimitStatus("burst", 100, 1, 0, 1),
            new RateLimitStatus("sustained", 1000, 60, 950, 3));

    static RateLimitReport report(long retryAfter, List<RateLimitStatus> statuses) {
        return new RateLimitReport() {
            @Override public List<RateLimitStatus> statuses() { return statuses; }
            @Override public long retryAfterSeconds() { return retryAfter; }
        };
    }

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness();
        CredentialVerifier check = (credential, context, requirement) -> {
            checks.incrementAndGet();
            Verification v = h.keys.verifier().verify(credential, context, requirement);
            if (!(v instanceof Verification.Valid valid)) return v;
            String want = context.path().startsWith(OUTCOME) ? context.path().substring(OUTCOME.length()) : null;
            if (want == null) return new Verification.Valid(valid.key(), report(0, List.of(new RateLimitStatus("burst", 100, 1, 99, 1))));
            Outcome o = Outcome.valueOf(want);
            RateLimitReport r = o == Outcome.RATE_LIMITED ? report(1, STATUSES)
                    : o == Outcome.USAGE_EXCEEDED ? report(3600, List.of()) : RateLimitReport.NONE;
            return new Verification.Denied(o, "test denial " + o, Optional.of(valid.key()), r);
        };
        h.filter("/api/*", ApiKeyFilter.builder(check).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
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

    static IssuedKey issue() {
        return h.issue(NewKey.builder("sk_live").ownerId("acme"));
    }

    /**
     * A denial answered before the request's body was read says {@code Connection: close}, so that a client does not
     * pool a connection the server is about to close (its next request there would fail with no answer); a denial of a
     * request without a body keeps the connection. Each is followed by a request that must be answered.
     */
    @Test
    void aDenialOfARequestWithAnUnreadBodyClosesTheConnection() {
        IssuedKey k = issue();
        for (int i = 0; i < 20; i++) {
            Exchange denied = h.json("PUT", OUTCOME + "FORBIDDEN", "{\"a\":\"" + "x".repeat(4096) + "\"}", "X-API-Key", k.plaintext());
            assertEquals(403, denied.status());
            assertEquals("close", denied.header("Connection"));
            Exchange unauthenticated = h.json("POST", "/api/x", "{}");
            assertEquals(401, unauthenticated.status());
            assertEquals("close", unauthenticated.header("Connection"));
            Exchange noBody = h.get(OUTCOME + "FORBIDDEN", "X-API-Key", k.plaintext());
            assertEquals(403, noBody.status());
            assertNull(noBody.header("Connection"), "no body, nothing left on the connection");
            assertEquals(200, h.get("/api/x", "X-API-Key", k.plaintext()).status());
        }
    }

    @Test
    void aPassingRequestOfALimitedKeyCarriesTheRateLimitFields() {
        IssuedKey k = issue();
        int before = checks.get();
        Exchange e = h.get("/api/x", "X-API-Key", k.plaintext());
        assertEquals(200, e.status());
        assertEquals(before + 1, checks.get(), "verified once per request");
        assertEquals("\"burst\";q=100;w=1", e.header("RateLimit-Policy"));
        assertEquals("\"burst\";r=99;t=1", e.header("RateLimit"));
        assertNull(e.header("RateLimit-Limit"));
        assertNull(e.header("RateLimit-Remaining"));
        assertNull(e.header("RateLimit-Reset"));
    }

    @Test
    void rateLimitedAnswers429WithRetryAfterAndParseableFields() {
        IssuedKey k = issue();
        int before = checks.get();
        Exchange e = h.get("/api/outcome/RATE_LIMITED", "X-API-Key", k.plaintext());
        assertEquals(before + 1, checks.get(), "verified once per request");
        JsonNode b = problem(e, 429, "RATE_LIMITED", "Rate limit exceeded");
        assertEquals("test denial RATE_LIMITED", b.get("detail").asText());
        assertEquals("1", e.header("Retry-After"));
        assertNull(e.header("WWW-Authenticate"));
        assertEquals("\"burst\";q=100;w=1, \"sustained\";q=1000;w=60", e.header("RateLimit-Policy"));
        assertEquals("\"burst\";r=0;t=1, \"sustained\";r=950;t=3", e.header("RateLimit"));

        List<StructuredFields.Item> policy = StructuredFields.parseList(e.header("RateLimit-Policy"));
        assertEquals(List.of(new StructuredFields.Item("burst", Map.of("q", 100L, "w", 1L)),
                new StructuredFields.Item("sustained", Map.of("q", 1000L, "w", 60L))), policy);
        List<StructuredFields.Item> state = StructuredFields.parseList(e.header("RateLimit"));
        assertEquals(List.of(new StructuredFields.Item("burst", Map.of("r", 0L, "t", 1L)),
                new StructuredFields.Item("sustained", Map.of("r", 950L, "t", 3L))), state);
        for (StructuredFields.Item i : policy) assertInstanceOf(String.class, i.value(), "policy names are sf-strings");
    }

    @Test
    void usageExceededAnswers429WithRetryAfter() {
        Exchange e = h.get("/api/outcome/USAGE_EXCEEDED", "X-API-Key", issue().plaintext());
        problem(e, 429, "USAGE_EXCEEDED", "Usage exceeded");
        assertEquals("3600", e.header("Retry-After"));
        assertNull(e.header("RateLimit"));
    }

    @Test
    void insufficientPermissionsAnswers403InsufficientScope() {
        Exchange e = h.get("/api/outcome/INSUFFICIENT_PERMISSIONS", "X-API-Key", issue().plaintext());
        problem(e, 403, "INSUFFICIENT_PERMISSIONS", "Insufficient permissions");
        assertEquals("Bearer realm=\"api\", error=\"insufficient_scope\"", e.header("WWW-Authenticate"));
        assertNull(e.header("Retry-After"));
    }

    @Test
    void aFailedConditionAnswers403ForbiddenWithoutAChallenge() {
        Exchange e = h.get("/api/outcome/FORBIDDEN", "X-API-Key", issue().plaintext());
        problem(e, 403, "FORBIDDEN", "Forbidden");
        assertNull(e.header("WWW-Authenticate"));
    }

    @Test
    void theStructuredFieldParserRejectsBadSyntax() {
        for (String bad : List.of("\"burst\";Q=1", "\"burst\";q=1,", "\"burst\";q=1.5", "\"burst\" \"x\"", "\"burst")) {
            assertThrows(IllegalArgumentException.class, () -> StructuredFields.parseList(bad), bad);
        }
        assertInstanceOf(StructuredFields.Token.class, StructuredFields.parseList("burst;q=1").get(0).value());
    }
}
