package dev.keys.servlet;

import dev.keys.servlet.harness.JettyHarness;

import dev.keys.api.Outcome;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.authz.Requirement;
import dev.keys.core.authz.RouteTable;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.ops.VerificationEvent;
import dev.keys.core.verify.CredentialVerifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.keys.servlet.harness.JettyHarness.problem;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The filter holds one {@link CredentialVerifier} per credential source and knows nothing of JWTs, listeners or
 * timing: a bearer-token verifier composed in front of the keys for the {@code BEARER} source only names its own
 * auth type, a listener wraps every source's verifier, and an unmatched route is the verifier's answer.
 */
class ComposedVerifiersTest {
    static JettyHarness h;
    static final List<VerificationEvent> events = new CopyOnWriteArrayList<>();

    /** Accepts {@code tok_...} and admits it as the key it names after {@code tok_}, verified for real. */
    static final CredentialVerifier TOKENS = new CredentialVerifier() {
        @Override
        public Verification verify(CharSequence credential, RequestContext ctx, Requirement requirement) {
            return h.keys.verifier().verify(credential.toString().substring(4), ctx, requirement);
        }

        @Override
        public boolean accepts(CharSequence credential) {
            return credential.toString().startsWith("tok_");
        }

        @Override
        public String authType(CharSequence credential) {
            return "TOKEN";
        }
    };

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness();
        RouteTable routes = RouteTable.parse("GET /api/** -> NONE");
        h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).routes(routes).jwt(TOKENS).listener(events::add).build())
                .filter("/query/*", ApiKeyFilter.builder(h.keys.verifier())
                        .credentials(CredentialSources.builder().queryParameter("key").build())
                        .verifier(CredentialSources.Source.QUERY_PARAMETER, TOKENS).build())
                .servlet("/api/*", new JettyHarness.EchoServlet())
                .servlet("/query/*", new JettyHarness.EchoServlet())
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

    @Test
    void aBearerTokenGoesToItsVerifierAndOnlyFromTheBearerSource() {
        IssuedKey k = h.issue(NewKey.builder("sk_live"));
        Exchange token = h.get("/api/x", "Authorization", "Bearer tok_" + k.plaintext());
        assertEquals(200, token.status(), token.body());
        assertEquals("TOKEN", token.json().get("authType").asText());
        Exchange key = h.get("/api/x", "Authorization", JettyHarness.bearer(k.plaintext()));
        assertEquals(ApiKeyFilter.AUTH_TYPE, key.json().get("authType").asText());
        problem(h.get("/api/x", "X-API-Key", "tok_" + k.plaintext()), 401, "MALFORMED", "Malformed credential");
    }

    @Test
    void eachSourceCanHaveItsOwnVerifier() {
        IssuedKey k = h.issue(NewKey.builder("sk_live"));
        Exchange q = h.get("/query/x?key=tok_" + k.plaintext());
        assertEquals(200, q.status(), q.body());
        assertEquals("TOKEN", q.json().get("authType").asText());
        problem(h.get("/query/x", "X-API-Key", "tok_" + k.plaintext()), 401, "MALFORMED", "Malformed credential");
        assertEquals(200, h.get("/query/x", "X-API-Key", k.plaintext()).status());
    }

    @Test
    void theListenerSeesEveryVerificationOfEverySourceAndNoneWithoutACredential() {
        IssuedKey k = h.issue(NewKey.builder("sk_live"));
        int before = events.size();
        h.get("/api/x", "Authorization", "Bearer tok_" + k.plaintext());
        h.get("/api/x", "X-API-Key", k.plaintext());
        h.get("/api/x", "X-API-Key", "nope");
        h.get("/api/x");
        List<VerificationEvent> seen = events.subList(before, events.size());
        assertEquals(List.of(Outcome.VALID, Outcome.VALID, Outcome.MALFORMED), seen.stream().map(VerificationEvent::outcome).toList());
        for (VerificationEvent e : seen) assertTrue(e.durationNanos() > 0, "timed by the decorator");
        assertEquals(java.util.Optional.of(k.key().id()), seen.get(0).keyId());
    }

    @Test
    void anUnmatchedRouteIsTheVerifiersAnswerForEverySource() {
        IssuedKey k = h.issue(NewKey.builder("sk_live"));
        for (String[] headers : List.of(new String[] {"X-API-Key", k.plaintext()}, new String[] {"Authorization", "Bearer tok_" + k.plaintext()})) {
            Exchange e = h.send(h.request("/api/x").header(headers[0], headers[1]).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
            assertEquals("no route allows this request", problem(e, 403, "FORBIDDEN", "Forbidden").get("detail").asText());
        }
    }
}
