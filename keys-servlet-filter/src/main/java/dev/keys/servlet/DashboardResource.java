package dev.keys.servlet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.api.ApiKey;
import dev.keys.api.KeyStatus;
import dev.keys.api.Outcome;
import dev.keys.api.Verification;
import dev.keys.core.authz.Decision;
import dev.keys.core.authz.KeyAuthz;
import dev.keys.core.lifecycle.Actor;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The dashboard under the admin base: its assets ({@link DashboardAssets}) at {@code ui/}, and sign-in sessions at
 * {@code ui/session}: {@code POST {key}} exchanges a key for a session cookie once, {@code GET} tells who is signed
 * in (and the CSRF token), {@code DELETE} signs out. Through the cookie the admin API then admits the browser as
 * the key's {@link Actor} ({@link #authenticate}): every request looks the key up again and judges it as it is
 * now (status, expiry, conditions, rights), so that revoking or disabling the key ends its sessions at once; every
 * write must carry the session's CSRF token in {@value #CSRF_HEADER}. The page itself calls only the admin API.
 * Sign-in and sign-out are audited ({@link #SESSION_START}, {@link #SESSION_END}), never with the session's id.
 */
final class DashboardResource {
    static final String COOKIE = "keys_session", CSRF_HEADER = "X-CSRF-Token";
    static final String CSRF_REJECTED = "CSRF_TOKEN_INVALID";
    /** The audit actions of a sign-in and of a sign-out (or of a session its key's change ended): actor and key are the key's id. */
    static final String SESSION_START = "session.start", SESSION_END = "session.end";

    private final Dashboard settings;
    private final Sessions sessions;

    DashboardResource(Dashboard settings, dev.keys.api.Clock clock) {
        this.settings = settings;
        this.sessions = new Sessions(clock, settings.idleTimeout().toNanos(), settings.lifetime().toNanos(), settings.maxSessions());
    }

    Sessions sessions() {
        return sessions;
    }

    /** Whether {@code path} (the path info) is the dashboard's: {@code /ui} and below. */
    static boolean owns(String path) {
        return path.equals("/ui") || path.startsWith("/ui/");
    }

    /** Answers a request under {@code ui/}. */
    void serve(KeyAdminServlet.Config c, HttpServletRequest req, HttpServletResponse res, String path) throws IOException {
        DashboardAssets.securityHeaders(res);
        if (path.equals("/ui")) {
            res.setStatus(302);
            res.setHeader("Location", base(req) + "/ui/");
            return;
        }
        if (path.equals("/ui/session")) {
            session(c, req, res);
            return;
        }
        DashboardAssets.serve(req, res, path.substring("/ui/".length()));
    }

    private void session(KeyAdminServlet.Config c, HttpServletRequest req, HttpServletResponse res) throws IOException {
        switch (req.getMethod()) {
            case "POST" -> signIn(c, req, res);
            case "GET", "HEAD" -> {
                Optional<Signed> s = signedIn(c, req, res, false);
                if (s.isPresent()) sendSession(c, req, res, 200, s.get().session, s.get().key, s.get().actor);
            }
            case "DELETE" -> {
                Optional<String> id = cookie(req);
                if (id.isPresent()) {
                    Optional<Signed> s = signedIn(c, req, res, true);
                    if (s.isEmpty()) return;
                    sessions.delete(id.get());
                    c.keys().audit(SESSION_END, s.get().key, Optional.of("signed out"));
                }
                clearCookie(req, res);
                res.setStatus(204);
                res.setHeader("Cache-Control", "no-store");
            }
            default -> throw AdminRouter.Failure.method(req.getMethod(), "GET, HEAD, POST, DELETE");
        }
    }

    /**
     * {@code POST ui/session {"key": "..."}}: verified as any admin caller is, and then a session for a stored key
     * that may read (or self-serve). Only {@code application/json}, and never from another site, so that no page
     * elsewhere can sign a browser in with a key of its choosing.
     */
    private void signIn(KeyAdminServlet.Config c, HttpServletRequest req, HttpServletResponse res) throws IOException {
        String type = req.getContentType() == null ? "" : req.getContentType().split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!type.equals("application/json")) throw AdminRouter.Failure.mediaType();
        if ("cross-site".equals(req.getHeader("Sec-Fetch-Site"))) {
            Problem.send(req, res, 403, Outcome.FORBIDDEN.name(), Outcome.FORBIDDEN.title(), "sign in from the dashboard's own page");
            return;
        }
        AdminCall call = new AdminCall(c, req, res, "", "", Actor.SYSTEM);
        call.query();
        ObjectNode body = call.body(true);
        AdminJson.onlyFields(body, java.util.Set.of("key"), java.util.Set.of(), "");
        if (!body.hasNonNull("key")) throw AdminJson.bad("key", "is required");
        String key = AdminJson.text(body.get("key"), "key", 256);
        AdminCallers callers = c.callers();
        Verification v = key.isEmpty() ? new Verification.Denied(Outcome.MALFORMED, "the credential is empty")
                : callers.verifier().verify(key, Requests.context(req, callers.proxies()), AdminCallers.CALLER);
        if (!(v instanceof Verification.Valid valid)) {
            callers.denials().write(req, res, (Verification.Denied) v);
            return;
        }
        // A stored key only (not a token): each request through the session looks it up by id again.
        Optional<ApiKey> stored = c.keys().get(valid.key().id());
        Optional<Actor> actor = stored.flatMap(k -> c.policy().caller(k));
        if (actor.isEmpty() || !(actor.get().may(Actor.Right.READ) || actor.get().confined())) {
            callers.forbidden(req, res, "only a key holding keys:admin, keys:manage, keys:read or keys:self signs in to the dashboard");
            return;
        }
        Sessions.Created created = sessions.create(stored.get().id());
        c.keys().audit(SESSION_START, stored.get(), Optional.empty());
        StringBuilder cookie = new StringBuilder(COOKIE).append('=').append(created.id())
                .append("; Path=").append(cookiePath(req)).append("; Max-Age=").append(sessions.lifetimeSeconds())
                .append("; HttpOnly; SameSite=Strict");
        if (secure(req)) cookie.append("; Secure");
        res.addHeader("Set-Cookie", cookie.toString());
        sendSession(c, req, res, 201, created.session(), stored.get(), actor.get());
    }

    /** A request signed in through a session: the session, and the key and its actor as they are now. */
    private record Signed(Sessions.Session session, ApiKey key, Actor actor) {
    }

    /**
     * The caller of an admin request that carries no credential of its own but the session cookie; empty when a
     * denial was answered (401 for no live session or a key no longer valid, 403 for a write without the CSRF
     * token or a key that lost its rights).
     */
    Optional<Actor> authenticate(KeyAdminServlet.Config c, HttpServletRequest req, HttpServletResponse res) throws IOException {
        String m = req.getMethod();
        return signedIn(c, req, res, !(m.equals("GET") || m.equals("HEAD"))).map(Signed::actor);
    }

    /** Whether the admin API should authenticate {@code req} by its session: a cookie and no credential. */
    static boolean carriesSession(HttpServletRequest req, CredentialSources sources) {
        return cookie(req).isPresent() && sources.extract(req) == null;
    }

    private Optional<Signed> signedIn(KeyAdminServlet.Config c, HttpServletRequest req, HttpServletResponse res, boolean write) throws IOException {
        Optional<String> id = cookie(req);
        Optional<Sessions.Session> s = id.flatMap(sessions::find);
        if (s.isEmpty()) {
            clearCookie(req, res);
            c.callers().denials().write(req, res, new Verification.Denied(Outcome.MISSING, "no live dashboard session; sign in again"));
            return Optional.empty();
        }
        if (write && !s.get().csrf(req.getHeader(CSRF_HEADER))) {
            Problem.send(req, res, 403, CSRF_REJECTED, "CSRF token invalid", "a write through a session needs the session's " + CSRF_HEADER + " header");
            return Optional.empty();
        }
        Optional<ApiKey> key = c.keys().get(s.get().keyId);
        Verification.Denied denied = key.isEmpty() ? new Verification.Denied(Outcome.NOT_FOUND, "the key of this session is gone")
                : judge(c, req, key.get());
        Optional<Actor> actor = denied == null ? c.policy().caller(key.get()) : Optional.empty();
        if (denied == null && actor.isEmpty()) {
            denied = new Verification.Denied(Outcome.INSUFFICIENT_PERMISSIONS, "the key of this session holds no admin right any more");
        }
        if (denied != null) {
            sessions.delete(id.get());
            if (key.isPresent()) c.keys().audit(SESSION_END, key.get(), Optional.of(denied.detail()));
            clearCookie(req, res);
            c.callers().denials().write(req, res, denied);
            return Optional.empty();
        }
        return Optional.of(new Signed(s.get(), key.get(), actor.get()));
    }

    /** The key as the verifier would judge it now, less the digest: status, expiry, its conditions; null when valid. */
    private static Verification.Denied judge(KeyAdminServlet.Config c, HttpServletRequest req, ApiKey key) {
        if (key.status() != KeyStatus.ACTIVE) {
            Outcome o = switch (key.status()) {
                case REVOKED -> Outcome.REVOKED;
                case DISABLED -> Outcome.DISABLED;
                default -> Outcome.NOT_APPROVED;
            };
            return new Verification.Denied(o, "the key of this session is " + AdminViews.status(key.status()));
        }
        long now = c.clock().nanos();
        if (key.expiresAt().isPresent() && dev.keys.api.Clock.toNanos(key.expiresAt().get()) <= now) {
            return new Verification.Denied(Outcome.EXPIRED, "the key of this session expired");
        }
        Decision d = KeyAuthz.compile(key, c.policy().roles()).check(Requests.context(req, c.callers().proxies()), now, AdminCallers.CALLER);
        return d.allowed() ? null : new Verification.Denied(d.outcome(), d.reason());
    }

    private void sendSession(KeyAdminServlet.Config c, HttpServletRequest req, HttpServletResponse res, int status, Sessions.Session s, ApiKey key, Actor actor) throws IOException {
        ObjectNode o = AdminViews.NODES.objectNode();
        o.put("keyId", key.id());
        o.put("name", key.name());
        o.put("tenant", key.tenant());
        o.put("ownerId", key.ownerId());
        ArrayNode rights = o.putArray("rights");
        for (Actor.Right r : Actor.Right.values()) if (actor.may(r)) rights.add(r.name().toLowerCase(Locale.ROOT));
        o.put("confined", actor.confined());
        o.put("csrfToken", s.csrf);
        o.put("idleTimeout", settings.idleTimeout().toString());
        o.put("expiresAt", Instant.ofEpochSecond(0, sessions.endsNanos(s)).toString());
        AdminCall call = new AdminCall(c, req, res, "", "", actor);
        if (status == 201) call.created("/ui/session", o);
        else call.ok(o);
    }

    /** The session cookie's value, when the request carries exactly one of the right shape. */
    private static Optional<String> cookie(HttpServletRequest req) {
        Cookie[] cookies = req.getCookies();
        if (cookies == null) return Optional.empty();
        String found = null;
        for (Cookie k : cookies) {
            if (!k.getName().equals(COOKIE)) continue;
            if (found != null) return Optional.empty(); // two: refuse to guess which one is the user's
            found = k.getValue();
        }
        return found != null && found.length() == 43 && found.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '-' || ch == '_')
                ? Optional.of(found) : Optional.empty();
    }

    private void clearCookie(HttpServletRequest req, HttpServletResponse res) {
        if (cookie(req).isEmpty() && req.getCookies() == null) return;
        res.addHeader("Set-Cookie", COOKIE + "=; Path=" + cookiePath(req) + "; Max-Age=0; HttpOnly; SameSite=Strict" + (secure(req) ? "; Secure" : ""));
    }

    private boolean secure(HttpServletRequest req) {
        return settings.alwaysSecure() || req.isSecure();
    }

    /** The admin base: the cookie goes to the admin API and the page, nowhere else on the site. */
    private static String cookiePath(HttpServletRequest req) {
        String b = base(req);
        return b.isEmpty() ? "/" : b;
    }

    private static String base(HttpServletRequest req) {
        return req.getContextPath() + req.getServletPath();
    }
}
