package dev.keys.servlet;

import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;

import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;

import static dev.keys.servlet.harness.JettyHarness.bearer;
import static dev.keys.servlet.harness.JettyHarness.problem;
import static org.junit.jupiter.api.Assertions.*;

/**
 * TRACE on the filter's paths (issue 14 #7, docs/contract.md §3): refused 405 before the credential is read, so that
 * a servlet's inherited {@code doTrace}, which echoes the request headers, never sends a key back.
 */
class TraceTest {
    static JettyHarness h;

    /** A servlet as most are written: only doGet, so TRACE falls to HttpServlet.doTrace and its echo. */
    static final class GetOnly extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            res.getWriter().write("ok");
        }
    }

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness();
        h.filter("/api/*", ApiKeyFilter.builder(h.keys.verifier()).build()).servlet("/api/*", new GetOnly()).start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            h.assertNoLeaks();
        } finally {
            h.close();
        }
    }

    static Exchange trace(String path, String... headers) {
        HttpRequest.Builder b = h.request(path).method("TRACE", HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) b.headers(headers);
        return h.send(b.build());
    }

    @Test
    void traceIsRefusedBeforeAnyCredentialIsLookedAt() {
        IssuedKey key = h.issue(NewKey.builder("sk_live").ownerId("acme"));
        assertEquals(200, h.get("/api/x", "X-API-Key", key.plaintext()).status());

        for (String[] headers : new String[][] {
                {"X-API-Key", key.plaintext()},
                {"Authorization", bearer(key.plaintext())},
                {},
                {"X-API-Key", key.plaintext(), "Authorization", bearer(key.plaintext())},   // two credentials: not 400
                {"X-API-Key", "sk_live_not_a_key"}}) {
            Exchange e = trace("/api/x", headers);
            problem(e, 405, Problem.METHOD_NOT_ALLOWED, "Method not allowed");
            assertFalse(e.body().contains(key.plaintext()), "the key is echoed");
            assertNull(e.header("WWW-Authenticate"), "no challenge: no credential was read");
        }
        assertEquals(200, h.get("/api/x", "X-API-Key", key.plaintext()).status(), "a refused TRACE uses nothing up");
    }
}
