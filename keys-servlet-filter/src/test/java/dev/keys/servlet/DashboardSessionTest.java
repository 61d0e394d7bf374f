package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.core.authz.Roles;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import static dev.keys.servlet.AdminCalls.status;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The dashboard over a real Jetty: its assets under {@code ui/} with their security headers, and sign-in sessions:
 * a key exchanged once for an HttpOnly, SameSite=Strict cookie scoped to the admin base; the admin API admitting
 * that cookie, with a CSRF token on every write; the session ending when idle, at its lifetime, at sign-out, and at
 * once when its key is revoked or loses its rights. Time moves by the harness's manual clock, never by sleeping.
 */
class DashboardSessionTest {
    static final String BASE = "/admin/v1";
    static JettyHarness h;
    static IssuedKey admin, verifier;

    @BeforeAll
    static void start() throws Exception {
        h = new JettyHarness(Roles.EMPTY);
        h.servlet(BASE + "/*", KeyAdminServlet.builder(h.keys).auditLog(h.audit).usageLog(h.usage).dashboard(Dashboard.defaults()).build())
                .servlet("/plain/*", KeyAdminServlet.builder(h.keys).build()).start();
        admin = h.issue(NewKey.builder("ops_live").tenant("ops").permissions(AdminPolicy.ADMIN));
        verifier = h.issue(NewKey.builder("ops_live").tenant("ops").permissions(AdminPolicy.VERIFY));
    }

    @AfterAll
    static void stop() throws Exception {
        h.closeAfterLeakCheck();
    }

    /** A signed-in session: its cookie header and CSRF token. */
    record Session(String cookie, String csrf) {
    }

    static Session signIn(IssuedKey key) {
        Exchange e = h.json("POST", BASE + "/ui/session", "{\"key\":\"" + key.plaintext() + "\"}");
        JsonNode b = status(e, 201, null);
        String set = e.header("Set-Cookie");
        return new Session(set.substring(0, set.indexOf(';')), b.get("csrfToken").asText());
    }

    @Test
    void servesThePageWithItsSecurityHeaders() {
        Exchange page = h.get(BASE + "/ui/");
        assertEquals(200, page.status());
        assertTrue(page.header("Content-Type").startsWith("text/html"));
        assertTrue(page.header("Content-Security-Policy").startsWith("default-src 'self'"), page.header("Content-Security-Policy"));
        assertEquals("nosniff", page.header("X-Content-Type-Options"));
        assertEquals("no-cache", page.header("Cache-Control"));
        assertTrue(page.body().contains("<script type=\"module\" src=\"app.js\"></script>"));
        assertFalse(page.body().contains("style="), "no inline style: the CSP forbids it");
        for (String asset : new String[] {"app.js", "api.js", "dom.js", "keys.js", "detail.js", "chart.js", "dialogs.js", "app.css"}) {
            Exchange a = h.get(BASE + "/ui/" + asset);
            assertEquals(200, a.status(), asset);
            assertEquals("nosniff", a.header("X-Content-Type-Options"));
            String text = a.body().replace("http://www.w3.org/2000/svg", ""); // the SVG namespace is a name, not a fetch
            assertFalse(text.contains("http://") || text.contains("https://"), asset + " names another origin");
            assertEquals(304, h.get(BASE + "/ui/" + asset, "If-None-Match", a.header("ETag")).status());
        }
        Exchange redirect = h.get(BASE + "/ui");
        assertEquals(302, redirect.status());
        assertEquals(BASE + "/ui/", redirect.header("Location"));
        status(h.get(BASE + "/ui/secret.txt"), 404, Problem.RESOURCE_NOT_FOUND);
        status(h.json("POST", BASE + "/ui/app.js", "{}"), 405, Problem.METHOD_NOT_ALLOWED);
        // A servlet without the dashboard serves no page and takes no cookie.
        status(h.get("/plain/ui/"), 404, Problem.RESOURCE_NOT_FOUND);
    }

    @Test
    void signInGivesAScopedHttpOnlyCookieAndNeverTheKey() {
        Exchange e = h.json("POST", BASE + "/ui/session", "{\"key\":\"" + admin.plaintext() + "\"}");
        JsonNode b = status(e, 201, null);
        String cookie = e.header("Set-Cookie");
        assertTrue(cookie.matches("keys_session=[A-Za-z0-9_-]{43}; Path=/admin/v1; Max-Age=28800; HttpOnly; SameSite=Strict"), cookie);
        assertEquals(admin.key().id(), b.get("keyId").asText());
        assertEquals(43, b.get("csrfToken").asText().length());
        assertEquals("no-store", e.header("Cache-Control"));
        assertFalse(b.has("key"));
        Session s = new Session(cookie.substring(0, cookie.indexOf(';')), b.get("csrfToken").asText());
        JsonNode who = status(h.get(BASE + "/ui/session", "Cookie", s.cookie), 200, null);
        assertEquals(s.csrf, who.get("csrfToken").asText());
        assertTrue(who.get("rights").toString().contains("admin"));
    }

    @Test
    void signInRefusesWhatItShould() {
        status(h.send(h.request(BASE + "/ui/session").header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"key\":\"" + admin.plaintext() + "\"}")).build()), 415, null);
        status(h.json("POST", BASE + "/ui/session", "{\"key\":\"" + admin.plaintext() + "\"}", "Sec-Fetch-Site", "cross-site"), 403, null);
        status(h.json("POST", BASE + "/ui/session", "{\"key\":\"sk_live_nope\"}"), 401, "MALFORMED");
        status(h.json("POST", BASE + "/ui/session", "{}"), 400, Problem.INVALID_REQUEST);
        status(h.json("POST", BASE + "/ui/session", "{\"key\":\"" + verifier.plaintext() + "\"}"), 403, "INSUFFICIENT_PERMISSIONS");
        status(h.get(BASE + "/ui/session"), 401, "MISSING");
        status(h.get(BASE + "/keys", "Cookie", "keys_session=" + "A".repeat(43)), 401, "MISSING");
    }

    @Test
    void theApiAdmitsTheCookieAndWritesNeedTheCsrfToken() {
        Session s = signIn(admin);
        status(h.get(BASE + "/keys", "Cookie", s.cookie), 200, null);
        String body = "{\"name\":\"from the page\",\"tenant\":\"ops\"}";
        status(h.json("POST", BASE + "/keys", body, "Cookie", s.cookie), 403, DashboardResource.CSRF_REJECTED);
        status(h.json("POST", BASE + "/keys", body, "Cookie", s.cookie, "X-CSRF-Token", "x" + s.csrf.substring(1)), 403, DashboardResource.CSRF_REJECTED);
        Session other = signIn(admin);
        status(h.json("POST", BASE + "/keys", body, "Cookie", s.cookie, "X-CSRF-Token", other.csrf), 403, DashboardResource.CSRF_REJECTED);
        JsonNode created = status(h.json("POST", BASE + "/keys", body, "Cookie", s.cookie, "X-CSRF-Token", s.csrf), 201, null);
        assertEquals(admin.key().id(), h.audit.find(Optional.of("ops"), Optional.of(created.get("keyId").asText()), 5, Optional.empty())
                .items().get(0).actor(), "the session's key is the audit actor");
        // A request with a key of its own is judged by that key: no CSRF token needed, whatever cookie comes along.
        status(h.json("POST", BASE + "/keys", body, "Cookie", s.cookie, "Authorization", "Bearer " + admin.plaintext()), 201, null);
    }

    @Test
    void revokingTheKeyEndsItsSessionsAtOnce() {
        IssuedKey k = h.issue(NewKey.builder("ops_live").tenant("ops").permissions(AdminPolicy.MANAGE));
        Session s = signIn(k);
        status(h.get(BASE + "/keys", "Cookie", s.cookie), 200, null);
        h.keys.manager().revoke(k.key().id(), "test", Optional.of("ends the session"));
        Exchange e = h.get(BASE + "/keys", "Cookie", s.cookie);
        status(e, 401, "REVOKED");
        assertTrue(e.header("Set-Cookie").contains("Max-Age=0"));
        status(h.get(BASE + "/ui/session", "Cookie", s.cookie), 401, "MISSING");
    }

    @Test
    void losingTheRightsOrBeingDisabledEndsTheSession() {
        IssuedKey k = h.issue(NewKey.builder("ops_live").tenant("ops").permissions(AdminPolicy.READ));
        Session s = signIn(k);
        h.keys.manager().update(k.key().id(), b -> b.permissions(Set.of("documents:read")), "test");
        status(h.get(BASE + "/keys", "Cookie", s.cookie), 403, "INSUFFICIENT_PERMISSIONS");
        status(h.get(BASE + "/keys", "Cookie", s.cookie), 401, "MISSING");
        IssuedKey d = h.issue(NewKey.builder("ops_live").tenant("ops").permissions(AdminPolicy.READ));
        Session sd = signIn(d);
        h.keys.manager().disable(d.key().id(), "test", Optional.empty());
        status(h.get(BASE + "/keys", "Cookie", sd.cookie), 403, "DISABLED");
    }

    @Test
    void signOutNeedsTheTokenAndEndsTheSession() {
        Session s = signIn(admin);
        status(h.json("DELETE", BASE + "/ui/session", null, "Cookie", s.cookie), 403, DashboardResource.CSRF_REJECTED);
        Exchange out = h.json("DELETE", BASE + "/ui/session", null, "Cookie", s.cookie, "X-CSRF-Token", s.csrf);
        assertEquals(204, out.status());
        assertTrue(out.header("Set-Cookie").startsWith("keys_session=; Path=/admin/v1; Max-Age=0; HttpOnly; SameSite=Strict"));
        status(h.get(BASE + "/keys", "Cookie", s.cookie), 401, "MISSING");
    }

    /** Who used the console: sign-in and sign-out in the audit log, by the key's id, never the session or the key. */
    @Test
    void signInAndSignOutAreAudited() {
        IssuedKey user = h.issue(NewKey.builder("ops_live").tenant("ops").ownerId("ana").permissions(AdminPolicy.READ));
        Session s = signIn(user);
        JsonNode start = trail(user).get(0);
        assertEquals(DashboardResource.SESSION_START, start.get("action").asText());
        assertEquals(user.key().id(), start.get("actor").asText());
        assertEquals("ops", start.get("tenant").asText());
        assertTrue(start.get("reason").isNull());
        assertEquals(204, h.json("DELETE", BASE + "/ui/session", null, "Cookie", s.cookie, "X-CSRF-Token", s.csrf).status());
        JsonNode end = trail(user).get(0);
        assertEquals(DashboardResource.SESSION_END, end.get("action").asText());
        assertEquals(user.key().id(), end.get("actor").asText());
        assertEquals("signed out", end.get("reason").asText());
        // A session its key's revocation ends is audited as ended, with why.
        Session revoked = signIn(user);
        h.keys.manager().revoke(user.key().id(), "ops", Optional.of("leaked"));
        status(h.get(BASE + "/keys", "Cookie", revoked.cookie), 401, "REVOKED");
        JsonNode forced = trail(user).get(0);
        assertEquals(DashboardResource.SESSION_END, forced.get("action").asText());
        assertEquals("the key of this session is revoked", forced.get("reason").asText());
        String all = h.get(BASE + "/audit?keyId=" + user.key().id(), "X-API-Key", admin.plaintext()).body();
        for (String secret : new String[] {s.cookie.substring(s.cookie.indexOf('=') + 1), revoked.cookie.substring(revoked.cookie.indexOf('=') + 1), s.csrf, user.plaintext()}) {
            assertFalse(all.contains(secret), "the audit holds no session id, CSRF token or key");
        }
    }

    /** The audit trail of {@code key}, newest first, read over HTTP by the admin. */
    private static JsonNode trail(IssuedKey key) {
        return status(h.get(BASE + "/audit?keyId=" + key.key().id(), "X-API-Key", admin.plaintext()), 200, null).get("items");
    }

    @Test
    void sessionsEndWhenIdleAndAtTheirLifetime() {
        Session idle = signIn(admin);
        h.clock.advance(Duration.ofMinutes(14));
        status(h.get(BASE + "/keys", "Cookie", idle.cookie), 200, null);   // restarts the idle time
        h.clock.advance(Duration.ofMinutes(14));
        status(h.get(BASE + "/keys", "Cookie", idle.cookie), 200, null);
        h.clock.advance(Duration.ofMinutes(15));
        status(h.get(BASE + "/keys", "Cookie", idle.cookie), 401, "MISSING");

        Session busy = signIn(admin);
        for (int i = 0; i < 47; i++) {           // 47 x 10 min = 7 h 50 min, never idle for long
            h.clock.advance(Duration.ofMinutes(10));
            status(h.get(BASE + "/ui/session", "Cookie", busy.cookie), 200, null);
        }
        h.clock.advance(Duration.ofMinutes(10));
        status(h.get(BASE + "/keys", "Cookie", busy.cookie), 401, "MISSING");
    }

    @Test
    void theStoreKeepsOnlyDigestsAndStaysBounded() {
        Sessions sessions = new Sessions(h.clock, Duration.ofMinutes(15).toNanos(), Duration.ofHours(8).toNanos(), 3);
        Sessions.Created first = sessions.create("key_a");
        assertTrue(sessions.find(first.id()).isPresent());
        assertTrue(sessions.find(Sessions.digest(first.id())).isEmpty(), "the digest itself opens nothing");
        h.clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 5; i++) sessions.create("key_" + i);
        assertEquals(3, sessions.size());
        assertTrue(sessions.find(first.id()).isEmpty(), "the one idle longest went first");
    }
}
