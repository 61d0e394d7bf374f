package dev.keys.servlet;

import static dev.keys.servlet.harness.JettyHarness.problem;

import dev.keys.servlet.harness.JettyHarness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.api.Outcome;
import dev.keys.api.UsageCount;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.keys.servlet.harness.JettyHarness.Exchange;
import static dev.keys.servlet.harness.JettyHarness.bearer;
import static org.junit.jupiter.api.Assertions.*;

/** The filter over real HTTP: every outcome with its exact status, headers and body. */
public class ApiKeyFilterTest {
    static JettyHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness();
        h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).build())
                .filter("/strict/*", ApiKeyFilter.builder(h.keys.verifier()).realm("strict").opaque(true).hideCredentials(true)
                        .credentials(CredentialSources.builder().queryParameter("api_key").build()).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .servlet("/strict/*", new JettyHarness.EchoServlet())
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
        return h.issue(NewKey.builder("sk_test").ownerId("acme").roles(Set.of("reader")).permissions("documents:read"));
    }


    @Test
    void aValidBearerKeyPassesWithItsPrincipalRolesAndVerification() {
        IssuedKey k = issue();
        Exchange e = h.get("/api/documents", "Authorization", bearer(k.plaintext()));
        assertEquals(200, e.status(), e.body());
        JsonNode b = e.json();
        assertEquals(k.key().id(), b.get("principal").asText());
        assertEquals("ApiKeyPrincipal", b.get("principalClass").asText());
        assertTrue(b.get("reader").asBoolean());
        assertFalse(b.get("writer").asBoolean());
        assertEquals("API_KEY", b.get("authType").asText());
        assertEquals("dev.keys.api.Verification$Valid", b.get("verification").asText());
        assertTrue(b.get("authorization").asBoolean(), "credentials are not hidden unless configured");
        assertNull(e.header("RateLimit"), "an unlimited key carries no RateLimit field");
        assertNull(e.header("RateLimit-Policy"));
    }

    @Test
    void aValidKeyInXApiKeyPassesAndTheBearerSchemeIsCaseInsensitive() {
        IssuedKey k = issue();
        assertEquals(200, h.get("/api/x", "X-API-Key", k.plaintext()).status());
        assertEquals(200, h.get("/api/x", "Authorization", "bearer  " + k.plaintext()).status());
    }

    @Test
    void missingAnswers401WithAChallengeAndNoError() {
        Exchange e = h.get("/api/x");
        JsonNode b = problem(e, 401, "MISSING", "Missing credential");
        assertEquals("Bearer realm=\"api\"", e.header("WWW-Authenticate"));
        assertEquals("no credential was sent", b.get("detail").asText());
        // another scheme is not a key
        Exchange basic = h.get("/api/x", "Authorization", "Basic dXNlcjpwYXNz");
        problem(basic, 401, "MISSING", "Missing credential");
        assertEquals("Bearer realm=\"api\"", basic.header("WWW-Authenticate"));
    }

    @Test
    void malformedAndEmptyCredentialsAnswerInvalidToken() {
        IssuedKey k = issue();
        String typo = k.plaintext().substring(0, 20) + (k.plaintext().charAt(20) == 'a' ? 'b' : 'a') + k.plaintext().substring(21);
        h.issued.put(typo, new Exchange("", "", 0, java.util.Map.of(), ""));
        for (String[] headers : List.of(new String[] {"X-API-Key", "nope"}, new String[] {"Authorization", bearer(typo)},
                new String[] {"Authorization", "Bearer"}, new String[] {"X-API-Key", " "})) {
            Exchange e = h.get("/api/x", headers);
            problem(e, 401, "MALFORMED", "Malformed credential");
            assertEquals("Bearer realm=\"api\", error=\"invalid_token\"", e.header("WWW-Authenticate"));
        }
    }

    @Test
    void anUnknownWellFormedKeyIsNotFound() {
        String unknown = new KeyFormat().generate("sk_test");
        h.issued.put(unknown, new Exchange("", "", 0, java.util.Map.of(), ""));
        Exchange e = h.get("/api/x", "Authorization", bearer(unknown));
        JsonNode b = problem(e, 401, "NOT_FOUND", "Unknown key");
        assertEquals("the key is not known", b.get("detail").asText());
        assertEquals("Bearer realm=\"api\", error=\"invalid_token\"", e.header("WWW-Authenticate"));
    }

    @Test
    void revocationTakesEffectOnTheNextRequest() {
        IssuedKey k = issue();
        assertEquals(200, h.get("/api/x", "X-API-Key", k.plaintext()).status());
        h.keys.manager().revoke(k.key().id(), KeyManager.SYSTEM, Optional.of("leaked"));
        Exchange e = h.get("/api/x", "X-API-Key", k.plaintext());
        problem(e, 401, "REVOKED", "Revoked key");
        assertEquals("Bearer realm=\"api\", error=\"invalid_token\"", e.header("WWW-Authenticate"));
    }

    @Test
    void anExpiredKeyAnswers401Expired() {
        IssuedKey k = h.issue(NewKey.builder("sk_test").expiresAt(h.clock.instant().plusSeconds(60)));
        assertEquals(200, h.get("/api/x", "X-API-Key", k.plaintext()).status());
        h.clock.advance(Duration.ofSeconds(60));
        problem(h.get("/api/x", "X-API-Key", k.plaintext()), 401, "EXPIRED", "Expired key");
    }

    @Test
    void rotationKeepsTheOldKeyForItsGracePeriodOnly() {
        IssuedKey old = issue();
        IssuedKey fresh = h.keys.manager().rotate(old.key().id(), Duration.ofHours(1), KeyManager.SYSTEM);
        h.issued.put(fresh.plaintext(), new Exchange("", "", 0, java.util.Map.of(), ""));
        assertEquals(200, h.get("/api/x", "X-API-Key", old.plaintext()).status());
        assertEquals(200, h.get("/api/x", "X-API-Key", fresh.plaintext()).status());
        h.clock.advance(Duration.ofMinutes(59));
        assertEquals(200, h.get("/api/x", "X-API-Key", old.plaintext()).status());
        h.clock.advance(Duration.ofMinutes(1));
        problem(h.get("/api/x", "X-API-Key", old.plaintext()), 401, "EXPIRED", "Expired key");
        Exchange e = h.get("/api/x", "X-API-Key", fresh.plaintext());
        assertEquals(200, e.status());
        assertEquals(fresh.key().id(), e.json().get("principal").asText());
    }

    @Test
    void disabledAndUnapprovedKeysAnswer403WithoutAChallenge() {
        IssuedKey k = issue();
        h.keys.manager().disable(k.key().id(), KeyManager.SYSTEM, Optional.empty());
        Exchange d = h.get("/api/x", "X-API-Key", k.plaintext());
        problem(d, 403, "DISABLED", "Disabled key");
        assertNull(d.header("WWW-Authenticate"));
        h.keys.manager().enable(k.key().id(), KeyManager.SYSTEM);
        assertEquals(200, h.get("/api/x", "X-API-Key", k.plaintext()).status());

        IssuedKey pending = h.issue(NewKey.builder("sk_test").requiresApproval(true));
        Exchange p = h.get("/api/x", "X-API-Key", pending.plaintext());
        problem(p, 403, "NOT_APPROVED", "Key not approved");
        assertNull(p.header("WWW-Authenticate"));
        h.keys.manager().approve(pending.key().id(), KeyManager.SYSTEM);
        assertEquals(200, h.get("/api/x", "X-API-Key", pending.plaintext()).status());
    }

    @Test
    void aStoreOutageFailsClosedWith503AndRetryAfter() {
        IssuedKey cached = issue();
        assertEquals(200, h.get("/api/x", "X-API-Key", cached.plaintext()).status());
        String unknown = new KeyFormat().generate("sk_test");
        h.issued.put(unknown, new Exchange("", "", 0, java.util.Map.of(), ""));
        h.store.down.set(true);
        try {
            Exchange e = h.get("/api/x", "X-API-Key", unknown);
            JsonNode b = problem(e, 503, "STORE_UNAVAILABLE", "Key store unavailable");
            assertEquals("1", e.header("Retry-After"));
            assertNull(e.header("WWW-Authenticate"));
            assertEquals("the key store is unavailable", b.get("detail").asText());
            // fail closed: once the store is seen down, even a cached key is not served
            Exchange c = h.get("/api/x", "X-API-Key", cached.plaintext());
            problem(c, 503, "STORE_UNAVAILABLE", "Key store unavailable");
            assertEquals("1", c.header("Retry-After"));
        } finally {
            h.store.down.set(false);
        }
        assertEquals(401, h.get("/api/x", "X-API-Key", unknown).status());
        assertEquals(200, h.get("/api/x", "X-API-Key", cached.plaintext()).status());
    }

    @Test
    void twoCredentialsInOneRequestAnswer400InvalidRequest() {
        IssuedKey k = issue();
        IssuedKey other = issue();
        List<String[]> cases = List.of(
                new String[] {"Authorization", bearer(k.plaintext()), "X-API-Key", k.plaintext()},
                new String[] {"X-API-Key", k.plaintext(), "X-API-Key", other.plaintext()},
                new String[] {"Authorization", bearer(k.plaintext()), "Authorization", bearer(other.plaintext())});
        for (String[] headers : cases) {
            Exchange e = h.get("/api/x", headers);
            JsonNode b = problem(e, 400, "INVALID_REQUEST", "Invalid request");
            assertEquals("the request carries more than one credential", b.get("detail").asText());
            assertEquals("Bearer realm=\"api\", error=\"invalid_request\"", e.header("WWW-Authenticate"));
        }
        Exchange q = h.get("/strict/x?api_key=" + k.plaintext(), "X-API-Key", k.plaintext());
        problem(q, 400, "INVALID_REQUEST", "Invalid request");
        assertEquals("Bearer realm=\"strict\", error=\"invalid_request\"", q.header("WWW-Authenticate"));
        problem(h.get("/strict/x?api_key=" + k.plaintext() + "&api_key=" + k.plaintext()), 400, "INVALID_REQUEST", "Invalid request");
    }

    @Test
    void theQueryStringIsNotReadUnlessConfigured() {
        IssuedKey k = issue();
        problem(h.get("/api/x?api_key=" + k.plaintext()), 401, "MISSING", "Missing credential");
        Exchange e = h.get("/strict/x?q=1&api_key=" + k.plaintext());
        assertEquals(200, e.status(), e.body());
        assertFalse(e.json().get("queryKey").asBoolean(), "the query parameter is hidden from the application");
        assertEquals("1", e.json().get("otherParam").asText());
    }

    @Test
    void hideCredentialsStripsTheCredentialHeadersOnly() {
        IssuedKey k = issue();
        Exchange a = h.get("/strict/x", "Authorization", bearer(k.plaintext()), "X-Other", "1");
        assertEquals(200, a.status());
        assertFalse(a.json().get("authorization").asBoolean());
        Exchange b = h.get("/strict/x", "X-API-Key", k.plaintext());
        assertEquals(200, b.status());
        assertFalse(b.json().get("apiKeyHeader").asBoolean());
        assertFalse(b.json().get("headerNames").asBoolean());
        assertEquals(k.key().id(), b.json().get("principal").asText());
    }

    @Test
    void opaqueModeAnswersUnknownExpiredAndRevokedAlike() {
        String unknown = new KeyFormat().generate("sk_test");
        h.issued.put(unknown, new Exchange("", "", 0, java.util.Map.of(), ""));
        IssuedKey revoked = issue();
        h.keys.manager().revoke(revoked.key().id(), KeyManager.SYSTEM, Optional.empty());
        IssuedKey expired = h.issue(NewKey.builder("sk_test").expiresAt(h.clock.instant()));
        List<Exchange> answers = List.of(h.get("/strict/x", "X-API-Key", unknown), h.get("/strict/x", "X-API-Key", revoked.plaintext()),
                h.get("/strict/x", "X-API-Key", expired.plaintext()));
        JsonNode first = null;
        for (Exchange e : answers) {
            JsonNode b = problem(e, 401, "NOT_FOUND", "Unknown key");
            assertEquals("Bearer realm=\"strict\", error=\"invalid_token\"", e.header("WWW-Authenticate"));
            ((ObjectNode) b).remove("requestId");
            if (first == null) first = b;
            assertEquals(first, b);
        }
        assertEquals("the key is not valid", first.get("detail").asText());
        // the real outcome is still what usage analytics see
        assertTrue(h.usage.counts(revoked.key().id(), JettyHarness.T0, h.clock.instant().plusSeconds(3600), Duration.ofDays(1))
                .stream().anyMatch(c -> c.outcome() == Outcome.REVOKED));
    }

    @Test
    void verificationsAreRecordedAsUsageOffTheRequestThread() {
        IssuedKey k = issue();
        for (int i = 0; i < 3; i++) h.get("/api/x", "X-API-Key", k.plaintext());
        h.keys.manager().disable(k.key().id(), KeyManager.SYSTEM, Optional.empty());
        h.get("/api/x", "X-API-Key", k.plaintext());
        List<UsageCount> counts = h.usage.counts(k.key().id(), JettyHarness.T0, h.clock.instant().plusSeconds(60), Duration.ofDays(1));
        assertEquals(3, counts.stream().filter(c -> c.outcome() == Outcome.VALID).mapToLong(UsageCount::count).sum());
        assertEquals(1, counts.stream().filter(c -> c.outcome() == Outcome.DISABLED).mapToLong(UsageCount::count).sum());
    }
}
