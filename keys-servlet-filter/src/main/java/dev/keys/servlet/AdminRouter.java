package dev.keys.servlet;

import dev.keys.api.Outcome;
import dev.keys.api.StoreException;
import dev.keys.api.Verification;
import dev.keys.core.lifecycle.Actor;
import dev.keys.core.lifecycle.AdminPolicy;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Routes an admin request: the path to a {@link Route}, the method checked against it, the caller authenticated
 * ({@link AdminCallers}), then the resource's handler ({@link KeyResource}, {@link ClientResource},
 * {@link ActivityResource}, {@link RoleResource}, {@link OpenApiDocument}). Every failure, of whatever kind and wherever thrown, is answered by {@link #fail}:
 * one mapping from failure to problem, so that the same failure always answers the same.
 */
final class AdminRouter {
    private static final System.Logger LOG = ApiKeyFilter.LOG;
    private static final long DRAIN_LIMIT = 1 << 20;
    static final Set<String> CLIENT_ACTIONS = Set.of("revoke", "disable", "enable");

    private AdminRouter() {
    }

    enum Route {
        // HEAD wherever GET (docs/contract.md §5): answered as GET, without the body.
        KEYS("GET, HEAD, POST"), VERIFY("POST"), IMPORT("POST"), KEY("GET, HEAD, PATCH, DELETE"), KEY_ACTION("POST"), USAGE("GET, HEAD"), AUDIT("GET, HEAD"),
        CLIENTS("GET, HEAD, POST"), CLIENT("GET, HEAD, PATCH"), CLIENT_ACTION("POST"), ROLES("GET, HEAD"), ROLE("PUT, DELETE"), OPENAPI("GET, HEAD");
        final String allow;

        Route(String allow) {
            this.allow = allow;
        }
    }

    /** What a path names: the route, and the id and action in it (empty strings when it has none). */
    record Match(Route route, String id, String action) {
    }

    /** A failure of the request itself rather than of what it asks: path, method, size or media type. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code, title, allow;

        private Failure(int status, String code, String title, String detail, String allow) {
            super(detail, null, false, false);
            this.status = status;
            this.code = code;
            this.title = title;
            this.allow = allow;
        }

        static Failure noRoute() {
            return new Failure(404, Problem.RESOURCE_NOT_FOUND, "Not found", "no such resource", "");
        }

        static Failure method(String method, String allow) {
            return new Failure(405, Problem.METHOD_NOT_ALLOWED, "Method not allowed", method + " is not allowed here; use " + allow, allow);
        }

        static Failure tooLarge(int max) {
            return new Failure(413, Problem.PAYLOAD_TOO_LARGE, "Payload too large", "the body is larger than " + max + " bytes", "");
        }

        static Failure mediaType() {
            return new Failure(415, Problem.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type", "the body must be application/json", "");
        }
    }

    static void serve(KeyAdminServlet.Config c, HttpServletRequest req, HttpServletResponse res) throws IOException {
        try {
            String path = req.getPathInfo() == null ? "" : req.getPathInfo();
            if (c.dashboard().isPresent() && DashboardResource.owns(path)) {
                c.dashboard().get().serve(c, req, res, path);
                return;
            }
            Match m = match(path, c.clients().isPresent());
            if (!List.of(m.route.allow.split(", ")).contains(req.getMethod())) throw Failure.method(req.getMethod(), m.route.allow);
            // A browser signed in to the dashboard sends its session cookie and no key; a key always wins.
            Optional<Actor> actor = c.dashboard().isPresent() && DashboardResource.carriesSession(req, c.callers().sources())
                    ? c.dashboard().get().authenticate(c, req, res) : c.callers().authenticate(req, res);
            if (actor.isEmpty()) return;
            AdminCallers.need(m.route, req.getMethod(), m.action, actor.get()).ifPresent(right -> c.policy().require(actor.get(), right));
            dispatch(new AdminCall(c, req, res, m.id, m.action, actor.get()), m.route);
        } catch (RuntimeException e) {
            fail(c, req, res, e);
        }
    }

    static Match match(String path, boolean clients) {
        String[] seg = path.startsWith("/") ? path.substring(1).split("/", -1) : new String[] {path};
        String top = seg[0];
        boolean id = seg.length > 1 && !seg[1].isEmpty();
        if (top.equals("keys")) {
            if (seg.length == 1) return new Match(Route.KEYS, "", "");
            if (seg.length == 2 && seg[1].equals("verify")) return new Match(Route.VERIFY, "", "");
            if (seg.length == 2 && seg[1].equals("import")) return new Match(Route.IMPORT, "", "");
            if (seg.length == 2 && id) return new Match(Route.KEY, seg[1], "");
            if (seg.length == 3 && id && seg[2].equals("usage")) return new Match(Route.USAGE, seg[1], "");
            if (seg.length == 3 && id && KeyResource.ACTIONS.contains(seg[2])) return new Match(Route.KEY_ACTION, seg[1], seg[2]);
        } else if (top.equals("clients") && clients) {
            if (seg.length == 1) return new Match(Route.CLIENTS, "", "");
            if (seg.length == 2 && id) return new Match(Route.CLIENT, seg[1], "");
            if (seg.length == 3 && id && CLIENT_ACTIONS.contains(seg[2])) return new Match(Route.CLIENT_ACTION, seg[1], seg[2]);
        } else if (top.equals("roles") && seg.length <= 2) {
            return seg.length == 1 ? new Match(Route.ROLES, "", "") : new Match(Route.ROLE, seg[1], "");
        } else if (top.equals("audit") && seg.length == 1) {
            return new Match(Route.AUDIT, "", "");
        } else if (top.equals("openapi.json") && seg.length == 1) {
            return new Match(Route.OPENAPI, "", "");
        }
        throw Failure.noRoute();
    }

    private static void dispatch(AdminCall call, Route route) throws IOException {
        switch (route) {
            case KEYS -> {
                if (call.is("POST")) KeyResource.create(call);
                else KeyResource.list(call);
            }
            case VERIFY -> KeyResource.verify(call);
            case IMPORT -> KeyImport.importKeys(call);
            case KEY -> {
                if (call.is("GET")) KeyResource.get(call);
                else if (call.is("DELETE")) KeyResource.erase(call);
                else KeyResource.patch(call);
            }
            case KEY_ACTION -> KeyResource.action(call);
            case USAGE -> ActivityResource.usage(call);
            case AUDIT -> ActivityResource.audit(call);
            case CLIENTS -> {
                if (call.is("POST")) ClientResource.create(call);
                else ClientResource.list(call);
            }
            case CLIENT -> {
                if (call.is("GET")) ClientResource.get(call);
                else ClientResource.patch(call);
            }
            case CLIENT_ACTION -> ClientResource.action(call);
            case ROLES -> RoleResource.list(call);
            case ROLE -> {
                if (call.is("PUT")) RoleResource.put(call);
                else RoleResource.delete(call);
            }
            case OPENAPI -> {
                call.query();
                call.ok(OpenApiDocument.shared());
            }
        }
    }

    /** The one mapping from a failure to its answer. */
    static void fail(KeyAdminServlet.Config c, HttpServletRequest req, HttpServletResponse res, RuntimeException e) throws IOException {
        // Read (and drop) a bounded rest of a body not read yet (a refusal decided before the body, a 413), so that the
        // client, still sending or about to reuse the connection, reads the answer instead of a closed connection.
        boolean complete = drain(req);
        if (e instanceof Failure f) {
            if (f.status == 405) res.setHeader("Allow", f.allow);
            if (f.status == 413 && !complete) res.setHeader("Connection", "close");
            Problem.send(req, res, f.status, f.code, f.title, f.getMessage());
        } else if (e instanceof AdminPolicy.Refused) {
            c.callers().forbidden(req, res, e.getMessage());
        } else if (e instanceof StoreException.NotFound) {
            String p = req.getPathInfo();
            Problem.send(req, res, 404, Problem.RESOURCE_NOT_FOUND, "Not found", p != null && p.startsWith("/clients") ? "no such client"
                    : p != null && p.startsWith("/roles") ? "no stored role of that name" : "no such key");
        } else if (e instanceof StoreException.Unavailable) {
            c.callers().denials().write(req, res, new Verification.Denied(Outcome.STORE_UNAVAILABLE, "the key store is unavailable"));
        } else if (e instanceof StoreException.Conflict || e instanceof StoreException.Duplicate) {
            Problem.send(req, res, 409, Problem.CONFLICT, "Conflict", "the key was changed concurrently; read it again and retry");
        } else if (e instanceof JsonFields.Invalid || e instanceof JsonFields.Invalids) {
            List<JsonFields.Invalid> all = e instanceof JsonFields.Invalid i ? i.all() : ((JsonFields.Invalids) e).all();
            Problem.send(req, res, 400, Problem.INVALID_REQUEST, "Invalid request", safe(e.getMessage()), all);
        } else if (e instanceof IllegalArgumentException) {
            Problem.send(req, res, 400, Problem.INVALID_REQUEST, "Invalid request", safe(e.getMessage()));
        } else if (e instanceof IllegalStateException) {
            Problem.send(req, res, 409, Problem.CONFLICT, "Conflict", safe(e.getMessage()));
        } else {
            String id = Problem.send(req, res, 500, Problem.INTERNAL_ERROR, "Internal error", "the request failed; the server log has the details");
            LOG.log(System.Logger.Level.WARNING, "keys admin: request " + id + " failed with " + e.getClass().getName(), e);
        }
    }

    /** Messages of the core are written for users and hold no key; still, never more than a line. */
    private static String safe(String m) {
        if (m == null || m.isEmpty()) return "the request is not valid";
        return m.length() > 300 ? m.substring(0, 300) : m;
    }

    /** Reads and drops up to {@value #DRAIN_LIMIT} bytes of the body; true when it reached the end. */
    private static boolean drain(HttpServletRequest req) {
        try {
            InputStream in = req.getInputStream();
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while (total <= DRAIN_LIMIT && (n = in.read(buf)) >= 0) total += n;
            return total <= DRAIN_LIMIT;
        } catch (IOException | IllegalStateException e) {
            return false;
        }
    }
}
