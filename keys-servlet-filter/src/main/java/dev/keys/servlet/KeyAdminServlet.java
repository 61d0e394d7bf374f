package dev.keys.servlet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.api.ApiKey;
import dev.keys.api.AuditEvent;
import dev.keys.api.AuditLog;
import dev.keys.api.Clock;
import dev.keys.api.KeyQuery;
import dev.keys.api.Outcome;
import dev.keys.api.Page;
import dev.keys.api.Quota;
import dev.keys.api.RateLimit;
import dev.keys.api.Refill;
import dev.keys.api.StoreException;
import dev.keys.api.UsageCount;
import dev.keys.api.UsageLog;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.core.authz.KeyAuthz;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
import dev.keys.core.authz.Roles;
import dev.keys.core.authz.TrustedProxies;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.lifecycle.ClientManager;
import dev.keys.core.lifecycle.ClientUpdate;
import dev.keys.core.lifecycle.IssuedClient;
import dev.keys.core.lifecycle.NewClient;
import dev.keys.api.OAuthClient;
import dev.keys.core.verify.Verifier;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;

import static dev.keys.servlet.AdminJson.bad;

/**
 * The admin API of DESIGN.md §5 as a servlet, mounted under a base such as {@code /admin/v1/*}: keys (create, read,
 * list, change, revoke, rotate, approve, reject, and as additions disable and enable), {@code /keys/verify},
 * per-key usage, the audit log, and, with a {@link ClientManager}, OAuth clients under {@code /clients} (create,
 * read, list, change, revoke, disable, enable) under the same caller rules as keys.
 *
 * <p>Callers authenticate with a key, read as {@link ApiKeyFilter} reads it (or taken from the filter's request
 * attribute when the filter runs in front, so that it is not verified twice). A key holding {@code keys:admin}
 * acts on every tenant; one holding {@code keys:manage} only on its own: another tenant's key answers 404, never
 * 403, so that ids do not leak. Only a {@code keys:admin} caller grants {@code keys:admin} or changes a key that
 * holds it. The caller's key id is the audit actor.
 *
 * <p>Every request is checked whole (route, method, caller, body size, JSON shape, every field, then the caller's
 * right to the result) before anything is written, so that an error leaves nothing half-written. Every error is
 * {@code application/problem+json}; no stack trace and no key appears in any answer but the create and rotate
 * answers, which carry the new key once.
 */
public final class KeyAdminServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    public static final String ADMIN = "keys:admin", MANAGE = "keys:manage";
    public static final String DEFAULT_AUDIT_LOG_ATTRIBUTE = "dev.keys.api.AuditLog";
    public static final String DEFAULT_USAGE_LOG_ATTRIBUTE = "dev.keys.api.UsageLog";
    public static final String DEFAULT_ROLES_ATTRIBUTE = "dev.keys.core.authz.Roles";
    public static final String DEFAULT_CLIENTS_ATTRIBUTE = "dev.keys.core.lifecycle.ClientManager";
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    private static final PermissionQuery ADMIN_QUERY = PermissionQuery.parse(ADMIN);
    /** What every admin call needs of its caller; met through roles and wildcards as any route requirement. */
    private static final Requirement CALLER = Requirement.of(PermissionQuery.parse(ADMIN + " OR " + MANAGE));
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    private static final System.Logger LOG = ApiKeyFilter.LOG;

    private static final Set<String> CREATE_FIELDS = Set.of("name", "ownerId", "tenant", "prefix", "environment", "roles",
            "permissions", "expiresAt", "ratelimits", "quota", "remaining", "refill", "ipAllowlist", "meta", "requiresApproval", "tier");
    private static final Set<String> PATCH_FIELDS = Set.of("name", "ownerId", "roles", "permissions", "expiresAt", "ratelimits",
            "quota", "remaining", "refill", "ipAllowlist", "meta", "tier");
    private static final Set<String> CLIENT_CREATE_FIELDS = Set.of("name", "tenant", "roles", "permissions", "ratelimits");
    private static final Set<String> CLIENT_PATCH_FIELDS = Set.of("name", "roles", "permissions", "ratelimits");
    private static final Set<String> CLIENT_IMMUTABLE_FIELDS = Set.of("clientId", "clientSecret", "tenant", "status", "createdAt",
            "updatedAt", "version");
    private static final Set<String> CLIENT_ACTIONS = Set.of("revoke", "disable", "enable");
    private static final Set<String> IMMUTABLE_FIELDS = Set.of("tenant", "prefix", "environment", "requiresApproval", "keyId",
            "key", "start", "status", "createdAt", "updatedAt", "rotatedTo", "version");

    private transient volatile Config config;

    /** For declaration in {@code web.xml}: configured by init-params in {@link #init(ServletConfig)}. */
    public KeyAdminServlet() {
    }

    private KeyAdminServlet(Config config) {
        this.config = config;
    }

    public static Builder builder(Keys keys) {
        return new Builder(Objects.requireNonNull(keys, "keys"));
    }

    record Config(KeyManager manager, Verifier verifier, dev.keys.core.limit.QuotaEnforcer quotas, Optional<AuditLog> audit, Optional<UsageLog> usage, Clock clock,
                  int maxBodyBytes, Roles roles, ApiKeyFilter.Settings auth, Optional<ClientManager> clients) {
        /** Whether a key holds {@code keys:admin}, directly, by a wildcard or through a role. */
        boolean isAdmin(ApiKey k) {
            return KeyAuthz.compile(k, roles).permits(ADMIN_QUERY);
        }

        /** Whether roles and (valid) permissions would grant {@code keys:admin}. */
        boolean grantsAdmin(Set<String> roleNames, Set<String> permissions) {
            return roles.flatten(roleNames, permissions).implies(ADMIN);
        }
    }

    @Override
    public void init(ServletConfig sc) throws ServletException {
        super.init(sc);
        if (config != null) return;
        var ctx = sc.getServletContext();
        String keysAttr = param(sc, "keys-attribute", ApiKeyFilter.DEFAULT_KEYS_ATTRIBUTE);
        if (!(ctx.getAttribute(keysAttr) instanceof Keys keys)) {
            throw new ServletException("servlet-context attribute " + keysAttr + " must hold a dev.keys.core.Keys");
        }
        Builder b = builder(keys);
        if (ctx.getAttribute(param(sc, "audit-log-attribute", DEFAULT_AUDIT_LOG_ATTRIBUTE)) instanceof AuditLog a) b.auditLog(a);
        if (ctx.getAttribute(param(sc, "usage-log-attribute", DEFAULT_USAGE_LOG_ATTRIBUTE)) instanceof UsageLog u) b.usageLog(u);
        if (ctx.getAttribute(param(sc, "roles-attribute", DEFAULT_ROLES_ATTRIBUTE)) instanceof Roles r) b.roles(r);
        if (ctx.getAttribute(param(sc, "clients-attribute", DEFAULT_CLIENTS_ATTRIBUTE)) instanceof ClientManager m) b.clients(m);
        try {
            String max = sc.getInitParameter("max-body-bytes");
            if (max != null && !max.isBlank()) b.maxBodyBytes(Integer.parseInt(max.strip()));
            String proxies = sc.getInitParameter("trusted-proxies");
            if (proxies != null && !proxies.isBlank()) {
                try {
                    b.trustedProxies(TrustedProxies.of(FilterConfigReader.splitList(proxies)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("trusted-proxies: " + e.getMessage());
                }
            }
            String realm = sc.getInitParameter("realm");
            if (realm != null && !realm.isBlank()) b.realm(realm.strip());
            String bearer = sc.getInitParameter("bearer"), headers = sc.getInitParameter("headers"), query = sc.getInitParameter("query-parameter");
            if (bearer != null || headers != null || query != null) {
                CredentialSources.Builder cs = CredentialSources.builder();
                if (bearer != null) cs.bearer(FilterConfigReader.bool("bearer", bearer.strip()));
                if (headers != null) cs.headers(FilterConfigReader.splitList(headers).toArray(String[]::new));
                if (query != null && !query.isBlank()) cs.queryParameter(query.strip());
                b.credentials(cs.build());
            }
        } catch (IllegalArgumentException e) {
            throw new ServletException("KeyAdminServlet init-param " + e.getMessage());
        }
        config = b.config();
    }

    private static String param(ServletConfig sc, String name, String dflt) {
        String v = sc.getInitParameter(name);
        return v == null || v.isBlank() ? dflt : v.strip();
    }

    // ---- routing ----

    private enum Route {
        KEYS("GET, POST"), VERIFY("POST"), KEY("GET, PATCH"), ACTION("POST"), USAGE("GET"), AUDIT("GET"),
        CLIENTS("GET, POST"), CLIENT("GET, PATCH"), CLIENT_ACTION("POST");
        final String allow;

        Route(String allow) {
            this.allow = allow;
        }
    }

    private static final Set<String> ACTIONS = Set.of("revoke", "rotate", "approve", "reject", "disable", "enable");

    /** One admin request, as routed and authenticated. */
    private record Call(HttpServletRequest req, HttpServletResponse res, Route route, String keyId, String action, ApiKey caller,
                        boolean admin) {
        String actor() {
            return caller.id();
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Config c = config;
        if (c == null) {
            Problem.send(res, 500, Problem.INTERNAL_ERROR, "Internal error", "the admin servlet is not initialised");
            return;
        }
        try {
            String path = req.getPathInfo() == null ? "" : req.getPathInfo();
            String[] seg = path.startsWith("/") ? path.substring(1).split("/", -1) : new String[] {path};
            Route route;
            String keyId = null, action = null;
            if (seg[0].equals("clients") && c.clients.isEmpty()) {
                Problem.send(res, 404, Problem.RESOURCE_NOT_FOUND, "Not found", "no such resource");
                return;
            }
            if (seg.length == 1 && seg[0].equals("keys")) route = Route.KEYS;
            else if (seg.length == 1 && seg[0].equals("clients")) route = Route.CLIENTS;
            else if (seg.length == 2 && seg[0].equals("clients") && !seg[1].isEmpty()) {
                route = Route.CLIENT;
                keyId = seg[1];
            } else if (seg.length == 3 && seg[0].equals("clients") && !seg[1].isEmpty() && CLIENT_ACTIONS.contains(seg[2])) {
                route = Route.CLIENT_ACTION;
                keyId = seg[1];
                action = seg[2];
            }
            else if (seg.length == 1 && seg[0].equals("audit")) route = Route.AUDIT;
            else if (seg.length == 2 && seg[0].equals("keys") && seg[1].equals("verify")) route = Route.VERIFY;
            else if (seg.length == 2 && seg[0].equals("keys") && !seg[1].isEmpty()) {
                route = Route.KEY;
                keyId = seg[1];
            } else if (seg.length == 3 && seg[0].equals("keys") && !seg[1].isEmpty() && seg[2].equals("usage")) {
                route = Route.USAGE;
                keyId = seg[1];
            } else if (seg.length == 3 && seg[0].equals("keys") && !seg[1].isEmpty() && ACTIONS.contains(seg[2])) {
                route = Route.ACTION;
                keyId = seg[1];
                action = seg[2];
            } else {
                Problem.send(res, 404, Problem.RESOURCE_NOT_FOUND, "Not found", "no such resource");
                return;
            }
            if (!List.of(route.allow.split(", ")).contains(req.getMethod())) {
                res.setHeader("Allow", route.allow);
                Problem.send(res, 405, Problem.METHOD_NOT_ALLOWED, "Method not allowed", req.getMethod() + " is not allowed here; use " + route.allow);
                return;
            }
            ApiKey caller = authenticate(c, req, res);
            if (caller == null) return;
            dispatch(c, new Call(req, res, route, keyId, action, caller, c.isAdmin(caller)));
        } catch (AdminJson.BadRequest e) {
            Problem.send(res, 400, Problem.INVALID_REQUEST, "Invalid request", e.getMessage());
        } catch (Forbidden e) {
            forbidden(c, res, e.getMessage());
        } catch (NotFound e) {
            Problem.send(res, 404, Problem.RESOURCE_NOT_FOUND, "Not found", e.getMessage());
        } catch (StoreException.NotFound e) {
            Problem.send(res, 404, Problem.RESOURCE_NOT_FOUND, "Not found", isClientPath(req) ? "no such client" : "no such key");
        } catch (TooLarge e) {
            // Read (and drop) a bounded rest, so that the client, still sending, reads the answer instead of a reset.
            if (!drain(req, DRAIN_LIMIT)) res.setHeader("Connection", "close");
            Problem.send(res, 413, Problem.PAYLOAD_TOO_LARGE, "Payload too large", "the body is larger than " + c.maxBodyBytes + " bytes");
        } catch (UnsupportedType e) {
            Problem.send(res, 415, Problem.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type", "the body must be application/json");
        } catch (StoreException.Unavailable e) {
            res.setHeader("Retry-After", Long.toString(c.auth.denials().storeRetryAfterSeconds()));
            Problem.send(res, Outcome.STORE_UNAVAILABLE, "the key store is unavailable");
        } catch (StoreException.Conflict | StoreException.Duplicate e) {
            Problem.send(res, 409, Problem.CONFLICT, "Conflict", "the key was changed concurrently; read it again and retry");
        } catch (IllegalArgumentException e) {
            Problem.send(res, 400, Problem.INVALID_REQUEST, "Invalid request", safe(e.getMessage()));
        } catch (IllegalStateException e) {
            Problem.send(res, 409, Problem.CONFLICT, "Conflict", safe(e.getMessage()));
        } catch (RuntimeException e) {
            String id = Problem.send(res, 500, Problem.INTERNAL_ERROR, "Internal error", "the request failed; the server log has the details");
            LOG.log(System.Logger.Level.WARNING, "keys admin: request " + id + " failed with " + e.getClass().getName(), e);
        }
    }

    private static final long DRAIN_LIMIT = 1 << 20;

    /** Reads and drops up to {@code limit} bytes of the body; true when it reached the end. */
    private static boolean drain(HttpServletRequest req, long limit) {
        try {
            InputStream in = req.getInputStream();
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while (total <= limit && (n = in.read(buf)) >= 0) total += n;
            return total <= limit;
        } catch (IOException | IllegalStateException e) {
            return false;
        }
    }

    /** Messages of the core are written for users and hold no key; still, never more than a line. */
    private static String safe(String m) {
        if (m == null || m.isEmpty()) return "the request is not valid";
        return m.length() > 300 ? m.substring(0, 300) : m;
    }

    private static final class Forbidden extends RuntimeException {
        Forbidden(String m) {
            super(m, null, false, false);
        }
    }

    private static final class NotFound extends RuntimeException {
        NotFound() {
            this("no such key");
        }

        NotFound(String detail) {
            super(detail, null, false, false);
        }
    }

    private static boolean isClientPath(HttpServletRequest req) {
        String p = req.getPathInfo();
        return p != null && p.startsWith("/clients");
    }

    private static final class TooLarge extends RuntimeException {
        TooLarge() {
            super("too large", null, false, false);
        }
    }

    private static final class UnsupportedType extends RuntimeException {
        UnsupportedType() {
            super("unsupported media type", null, false, false);
        }
    }

    private static void forbidden(Config c, HttpServletResponse res, String detail) throws IOException {
        res.setHeader("WWW-Authenticate", Problem.challenge(c.auth.denials().realm(), "insufficient_scope"));
        Problem.send(res, Outcome.INSUFFICIENT_PERMISSIONS, detail);
    }

    /** The caller's key when it may call the admin API, or null when a denial was answered. */
    private static ApiKey authenticate(Config c, HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (req.getAttribute(ApiKeyFilter.VERIFICATION_ATTRIBUTE) instanceof Verification.Valid v) {
            // Verified by the filter in front, perhaps for another requirement: check this one without verifying again.
            KeyAuthz authz = KeyAuthz.compile(v.key(), c.roles);
            if (authz.permits(CALLER.query())) return v.key();
            forbidden(c, res, CALLER.query().explain(authz.permissions()));
            return null;
        }
        ApiKeyFilter.Settings s = c.auth;
        String credential = s.sources().extract(req);
        if (credential == CredentialSources.AMBIGUOUS) {
            res.setHeader("WWW-Authenticate", Problem.challenge(s.denials().realm(), "invalid_request"));
            Problem.send(res, 400, Problem.INVALID_REQUEST, "Invalid request", "the request carries more than one credential");
            return null;
        }
        Verification v = credential == null ? new Verification.Denied(Outcome.MISSING, "no credential was sent")
                : credential.isEmpty() ? new Verification.Denied(Outcome.MALFORMED, "the credential is empty")
                : c.verifier.verify(credential, Requests.context(req, s.proxies()), CALLER);
        if (v instanceof Verification.Valid valid) {
            Problem.rateLimitFields(res, valid.rateLimits().statuses());
            return valid.key();
        }
        s.denials().write(res, (Verification.Denied) v);
        return null;
    }

    private void dispatch(Config c, Call call) throws IOException {
        switch (call.route) {
            case KEYS -> {
                if (call.req.getMethod().equals("POST")) create(c, call);
                else list(c, call);
            }
            case VERIFY -> verify(c, call);
            case KEY -> {
                if (call.req.getMethod().equals("GET")) {
                    queryParams(call, Set.of());
                    send(call.res, 200, AdminJson.key(visible(c, call, call.keyId)));
                } else {
                    patch(c, call);
                }
            }
            case ACTION -> action(c, call);
            case USAGE -> usage(c, call);
            case AUDIT -> audit(c, call);
            case CLIENTS -> {
                if (call.req.getMethod().equals("POST")) createClient(c, call);
                else listClients(c, call);
            }
            case CLIENT -> {
                if (call.req.getMethod().equals("GET")) {
                    queryParams(call, Set.of());
                    send(call.res, 200, AdminJson.client(visibleClient(c, call, call.keyId)));
                } else {
                    patchClient(c, call);
                }
            }
            case CLIENT_ACTION -> clientAction(c, call);
        }
    }

    // ---- clients ----

    private void createClient(Config c, Call call) throws IOException {
        queryParams(call, Set.of());
        ObjectNode body = body(c, call, true);
        AdminJson.onlyFields(body, CLIENT_CREATE_FIELDS, Set.of(), "");
        String tenant = body.hasNonNull("tenant") ? AdminJson.nonBlank(body.get("tenant"), "tenant", 100) : call.caller.tenant();
        String name = body.hasNonNull("name") ? AdminJson.text(body.get("name"), "name", AdminJson.MAX_TEXT) : "";
        Set<String> permissions = body.hasNonNull("permissions") ? AdminJson.permissions(body.get("permissions"), "permissions") : Set.of();
        Set<String> roles = body.hasNonNull("roles") ? AdminJson.roles(body.get("roles"), "roles") : Set.of();
        List<RateLimit> ratelimits = body.hasNonNull("ratelimits") ? AdminJson.ratelimits(body.get("ratelimits"), "ratelimits") : List.of();
        if (!call.admin && !tenant.equals(call.caller.tenant())) {
            throw new Forbidden("tenant: a " + MANAGE + " caller creates clients only in its own tenant");
        }
        if (!call.admin && c.grantsAdmin(roles, permissions)) {
            throw new Forbidden((c.grantsAdmin(Set.of(), permissions) ? "permissions" : "roles") + ": only a " + ADMIN + " caller grants " + ADMIN);
        }
        IssuedClient issued = c.clients.get().create(new NewClient(name, tenant, roles, permissions, ratelimits));
        OAuthClient k = issued.client();
        Map<String, List<String>> changes = new LinkedHashMap<>();
        changes.put("name", List.of("", k.name()));
        changes.put("roles", List.of("", AdminJson.display(k.roles())));
        changes.put("permissions", List.of("", AdminJson.display(k.permissions())));
        changes.put("ratelimits", List.of("", AdminJson.display(k.ratelimits())));
        auditClient(c, call, "client.create", k, Optional.empty(), changes);
        call.res.setHeader("Location", call.req.getContextPath() + call.req.getServletPath() + "/clients/" + k.clientId());
        send(call.res, 201, AdminJson.issuedClient(issued));
    }

    private void listClients(Config c, Call call) throws IOException {
        Map<String, String> q = queryParams(call, Set.of("tenant", "limit", "cursor"));
        Optional<String> tenant = Optional.ofNullable(q.get("tenant"));
        if (!call.admin) {
            if (tenant.isPresent() && !tenant.get().equals(call.caller.tenant())) throw new NotFound("no such client");
            tenant = Optional.of(call.caller.tenant());
        }
        Page<OAuthClient> page = c.clients.get().list(tenant, limit(q.get("limit")), Optional.ofNullable(q.get("cursor")));
        ObjectNode out = AdminJson.NODES.objectNode();
        ArrayNode items = out.putArray("items");
        page.items().forEach(k -> items.add(AdminJson.client(k)));
        if (page.nextCursor().isPresent()) out.put("nextCursor", page.nextCursor().get());
        else out.putNull("nextCursor");
        send(call.res, 200, out);
    }

    private void patchClient(Config c, Call call) throws IOException {
        queryParams(call, Set.of());
        ObjectNode body = body(c, call, true);
        AdminJson.onlyFields(body, CLIENT_PATCH_FIELDS, CLIENT_IMMUTABLE_FIELDS, "");
        ClientUpdate u = ClientUpdate.NONE;
        if (body.has("name")) u = u.withName(body.get("name").isNull() ? "" : AdminJson.text(body.get("name"), "name", AdminJson.MAX_TEXT));
        if (body.has("roles")) u = u.withRoles(body.get("roles").isNull() ? Set.of() : AdminJson.roles(body.get("roles"), "roles"));
        if (body.has("permissions")) {
            u = u.withPermissions(body.get("permissions").isNull() ? Set.of() : AdminJson.permissions(body.get("permissions"), "permissions"));
        }
        if (body.has("ratelimits")) {
            u = u.withRatelimits(body.get("ratelimits").isNull() ? List.of() : AdminJson.ratelimits(body.get("ratelimits"), "ratelimits"));
        }
        OAuthClient current = writableClient(c, call, call.keyId);
        if (!call.admin && (u.roles().isPresent() || u.permissions().isPresent())
                && c.grantsAdmin(u.roles().orElse(current.roles()), u.permissions().orElse(current.permissions()))) {
            throw new Forbidden((u.permissions().isPresent() ? "permissions" : "roles") + ": only a " + ADMIN + " caller grants " + ADMIN);
        }
        if (u.equals(ClientUpdate.NONE)) {
            send(call.res, 200, AdminJson.client(current));
            return;
        }
        boolean admin = call.admin;
        OAuthClient[] before = new OAuthClient[1];
        OAuthClient updated = c.clients.get().update(call.keyId, u, fresh -> {
            // Re-checked on the state the write applies to, so that a concurrent change cannot slip past.
            if (!admin && c.grantsAdmin(fresh.roles(), fresh.permissions())) throw new Forbidden("only a " + ADMIN + " caller changes a client that holds " + ADMIN);
            before[0] = fresh;
        });
        Map<String, List<String>> changes = new LinkedHashMap<>();
        OAuthClient b = before[0];
        if (!b.name().equals(updated.name())) changes.put("name", List.of(b.name(), updated.name()));
        if (!b.roles().equals(updated.roles())) changes.put("roles", List.of(AdminJson.display(b.roles()), AdminJson.display(updated.roles())));
        if (!b.permissions().equals(updated.permissions()))
            changes.put("permissions", List.of(AdminJson.display(b.permissions()), AdminJson.display(updated.permissions())));
        if (!b.ratelimits().equals(updated.ratelimits()))
            changes.put("ratelimits", List.of(AdminJson.display(b.ratelimits()), AdminJson.display(updated.ratelimits())));
        auditClient(c, call, "client.update", updated, Optional.empty(), changes);
        send(call.res, 200, AdminJson.client(updated));
    }

    private void clientAction(Config c, Call call) throws IOException {
        queryParams(call, Set.of());
        ObjectNode body = body(c, call, false);
        String a = call.action;
        AdminJson.onlyFields(body, a.equals("enable") ? Set.of() : Set.of("reason"), Set.of(), "");
        Optional<String> reason = body.hasNonNull("reason") ? Optional.of(AdminJson.text(body.get("reason"), "reason", 500)) : Optional.empty();
        OAuthClient before = writableClient(c, call, call.keyId);
        ClientManager m = c.clients.get();
        OAuthClient after = switch (a) {
            case "revoke" -> m.revoke(call.keyId);
            case "disable" -> m.setEnabled(call.keyId, false);
            case "enable" -> m.setEnabled(call.keyId, true);
            default -> throw new NotFound("no such client");
        };
        Map<String, List<String>> changes = before.status() == after.status() ? Map.of()
                : Map.of("status", List.of(AdminJson.status(before.status()), AdminJson.status(after.status())));
        auditClient(c, call, "client." + a, after, reason, changes);
        send(call.res, 200, AdminJson.client(after));
    }

    /** The client, when the caller may see it; otherwise 404 as if it did not exist. */
    private static OAuthClient visibleClient(Config c, Call call, String id) {
        OAuthClient k = c.clients.get().get(id).orElseThrow(() -> new NotFound("no such client"));
        if (!call.admin && !k.tenant().equals(call.caller.tenant())) throw new NotFound("no such client");
        return k;
    }

    /** The client, when the caller may change it. */
    private static OAuthClient writableClient(Config c, Call call, String id) {
        OAuthClient k = visibleClient(c, call, id);
        if (!call.admin && c.grantsAdmin(k.roles(), k.permissions())) throw new Forbidden("only a " + ADMIN + " caller changes a client that holds " + ADMIN);
        return k;
    }

    private static void auditClient(Config c, Call call, String action, OAuthClient k, Optional<String> reason, Map<String, List<String>> changes) {
        if (c.audit.isPresent()) c.audit.get().record(new AuditEvent(c.clock.instant(), action, call.actor(), k.tenant(), k.clientId(), reason, changes));
    }

    // ---- calls ----

    private void create(Config c, Call call) throws IOException {
        queryParams(call, Set.of());
        ObjectNode body = body(c, call, true);
        AdminJson.onlyFields(body, CREATE_FIELDS, Set.of(), "");
        if (!body.hasNonNull("prefix")) throw bad("prefix", "is required");
        NewKey.Builder nb = NewKey.builder(AdminJson.prefix(body.get("prefix"), "prefix"));
        String tenant = call.caller.tenant();
        if (body.hasNonNull("tenant")) tenant = AdminJson.nonBlank(body.get("tenant"), "tenant", 100);
        nb.tenant(tenant);
        if (body.hasNonNull("name")) nb.name(AdminJson.text(body.get("name"), "name", AdminJson.MAX_TEXT));
        if (body.hasNonNull("ownerId")) nb.ownerId(AdminJson.text(body.get("ownerId"), "ownerId", AdminJson.MAX_TEXT));
        if (body.hasNonNull("environment")) nb.environment(AdminJson.environment(body.get("environment"), "environment"));
        Set<String> permissions = body.hasNonNull("permissions") ? AdminJson.permissions(body.get("permissions"), "permissions") : Set.of();
        nb.permissions(permissions);
        Set<String> roles = body.hasNonNull("roles") ? AdminJson.roles(body.get("roles"), "roles") : Set.of();
        nb.roles(roles);
        if (body.hasNonNull("expiresAt")) nb.expiresAt(AdminJson.instant(body.get("expiresAt"), "expiresAt"));
        if (body.hasNonNull("ratelimits")) nb.ratelimits(AdminJson.ratelimits(body.get("ratelimits"), "ratelimits"));
        if (body.hasNonNull("quota")) nb.quota(AdminJson.quota(body.get("quota"), "quota"));
        OptionalLong remaining = body.hasNonNull("remaining") ? AdminJson.remaining(body.get("remaining"), "remaining") : OptionalLong.empty();
        nb.remaining(remaining);
        if (body.hasNonNull("refill")) {
            if (remaining.isEmpty()) throw bad("refill", "needs remaining");
            nb.refill(AdminJson.refill(body.get("refill"), "refill"));
        }
        if (body.hasNonNull("ipAllowlist")) nb.ipAllowlist(AdminJson.ipAllowlist(body.get("ipAllowlist"), "ipAllowlist"));
        if (body.hasNonNull("meta")) nb.meta(AdminJson.meta(body.get("meta"), "meta"));
        if (body.hasNonNull("requiresApproval")) nb.requiresApproval(AdminJson.bool(body.get("requiresApproval"), "requiresApproval"));
        if (body.hasNonNull("tier")) nb.tier(AdminJson.nonBlank(body.get("tier"), "tier", 100));
        NewKey request = nb.build();
        if (!call.admin && !tenant.equals(call.caller.tenant())) {
            throw new Forbidden("tenant: a " + MANAGE + " caller creates keys only in its own tenant");
        }
        if (!call.admin && c.grantsAdmin(roles, permissions)) {
            throw new Forbidden((c.grantsAdmin(Set.of(), permissions) ? "permissions" : "roles") + ": only a " + ADMIN + " caller grants " + ADMIN);
        }
        IssuedKey issued = c.manager.create(request, call.actor());
        call.res.setHeader("Location", call.req.getContextPath() + call.req.getServletPath() + "/keys/" + issued.key().id());
        send(call.res, 201, AdminJson.issued(issued.key(), issued.plaintext()));
    }

    private void list(Config c, Call call) throws IOException {
        Map<String, String> q = queryParams(call, Set.of("tenant", "ownerId", "limit", "cursor"));
        Optional<String> tenant = Optional.ofNullable(q.get("tenant"));
        if (!call.admin) {
            if (tenant.isPresent() && !tenant.get().equals(call.caller.tenant())) throw new NotFound();
            tenant = Optional.of(call.caller.tenant());
        }
        int limit = limit(q.get("limit"));
        Page<ApiKey> page = c.manager.list(new KeyQuery(tenant, Optional.ofNullable(q.get("ownerId")), limit, Optional.ofNullable(q.get("cursor"))));
        ObjectNode out = AdminJson.NODES.objectNode();
        ArrayNode items = out.putArray("items");
        page.items().forEach(k -> items.add(AdminJson.key(k)));
        if (page.nextCursor().isPresent()) out.put("nextCursor", page.nextCursor().get());
        else out.putNull("nextCursor");
        send(call.res, 200, out);
    }

    private static int limit(String text) {
        if (text == null) return 100;
        try {
            int l = Integer.parseInt(text);
            if (l >= 1 && l <= KeyQuery.MAX_LIMIT) return l;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw bad("limit", "must be an integer from 1 to " + KeyQuery.MAX_LIMIT);
    }

    private void patch(Config c, Call call) throws IOException {
        queryParams(call, Set.of());
        ObjectNode body = body(c, call, true);
        AdminJson.onlyFields(body, PATCH_FIELDS, IMMUTABLE_FIELDS, "");
        List<UnaryOperator<ApiKey.Builder>> changes = new ArrayList<>();
        Set<String> newPermissions = null;
        if (body.has("name")) {
            String v = body.get("name").isNull() ? "" : AdminJson.text(body.get("name"), "name", AdminJson.MAX_TEXT);
            changes.add(b -> b.name(v));
        }
        if (body.has("ownerId")) {
            String v = body.get("ownerId").isNull() ? "" : AdminJson.text(body.get("ownerId"), "ownerId", AdminJson.MAX_TEXT);
            changes.add(b -> b.ownerId(v));
        }
        Set<String> newRoles = null;
        if (body.has("roles")) {
            Set<String> v = body.get("roles").isNull() ? Set.of() : AdminJson.roles(body.get("roles"), "roles");
            newRoles = v;
            changes.add(b -> b.roles(v));
        }
        if (body.has("permissions")) {
            Set<String> v = body.get("permissions").isNull() ? Set.of() : AdminJson.permissions(body.get("permissions"), "permissions");
            newPermissions = v;
            changes.add(b -> b.permissions(v));
        }
        if (body.has("expiresAt")) {
            Optional<Instant> v = body.get("expiresAt").isNull() ? Optional.empty() : Optional.of(AdminJson.instant(body.get("expiresAt"), "expiresAt"));
            changes.add(b -> b.expiresAt(v));
        }
        if (body.has("ratelimits")) {
            List<RateLimit> v = body.get("ratelimits").isNull() ? List.of() : AdminJson.ratelimits(body.get("ratelimits"), "ratelimits");
            changes.add(b -> b.ratelimits(v));
        }
        if (body.has("quota")) {
            Optional<Quota> v = AdminJson.quota(body.get("quota"), "quota");
            changes.add(b -> b.quota(v));
        }
        OptionalLong remaining = null;
        if (body.has("remaining")) {
            OptionalLong v = AdminJson.remaining(body.get("remaining"), "remaining");
            remaining = v;
            changes.add(b -> b.remaining(v));
        }
        Optional<Refill> refill = null;
        if (body.has("refill")) {
            Optional<Refill> v = AdminJson.refill(body.get("refill"), "refill");
            refill = v;
            changes.add(b -> b.refill(v));
        }
        if (body.has("ipAllowlist")) {
            List<String> v = body.get("ipAllowlist").isNull() ? List.of() : AdminJson.ipAllowlist(body.get("ipAllowlist"), "ipAllowlist");
            changes.add(b -> b.ipAllowlist(v));
        }
        if (body.has("meta")) {
            Map<String, String> v = body.get("meta").isNull() ? Map.of() : AdminJson.meta(body.get("meta"), "meta");
            changes.add(b -> b.meta(v));
        }
        if (body.has("tier")) {
            Optional<String> v = body.get("tier").isNull() ? Optional.empty() : Optional.of(AdminJson.nonBlank(body.get("tier"), "tier", 100));
            changes.add(b -> b.tier(v));
        }
        ApiKey current = writable(c, call, call.keyId);
        boolean hasRemaining = remaining != null ? remaining.isPresent() : current.remaining().isPresent();
        boolean hasRefill = refill != null ? refill.isPresent() : current.refill().isPresent();
        if (hasRefill && !hasRemaining) throw bad(refill != null ? "refill" : "remaining", "refill needs remaining");
        if (!call.admin && (newPermissions != null || newRoles != null)
                && c.grantsAdmin(newRoles != null ? newRoles : current.roles(), newPermissions != null ? newPermissions : validOnly(current.permissions()))) {
            throw new Forbidden((newPermissions != null ? "permissions" : "roles") + ": only a " + ADMIN + " caller grants " + ADMIN);
        }
        if (changes.isEmpty()) {
            send(call.res, 200, AdminJson.key(current));
            return;
        }
        boolean admin = call.admin;
        ApiKey updated = c.manager.update(call.keyId, b -> {
            ApiKey fresh = b.build();
            // Re-checked on the state the write applies to, so that a concurrent change cannot slip past.
            if (!admin && c.isAdmin(fresh)) throw new Forbidden("only a " + ADMIN + " caller changes a key that holds " + ADMIN);
            for (UnaryOperator<ApiKey.Builder> ch : changes) b = ch.apply(b);
            return b;
        }, call.actor());
        send(call.res, 200, AdminJson.key(updated));
    }

    private void action(Config c, Call call) throws IOException {
        queryParams(call, Set.of());
        ObjectNode body = body(c, call, false);
        String a = call.action;
        Set<String> allowed = switch (a) {
            case "revoke", "reject", "disable" -> Set.of("reason");
            case "rotate" -> Set.of("gracePeriod");
            default -> Set.of();
        };
        AdminJson.onlyFields(body, allowed, Set.of(), "");
        Optional<String> reason = body.hasNonNull("reason") ? Optional.of(AdminJson.text(body.get("reason"), "reason", 500)) : Optional.empty();
        Duration grace = body.hasNonNull("gracePeriod") ? AdminJson.duration(body.get("gracePeriod"), "gracePeriod", false) : Duration.ZERO;
        writable(c, call, call.keyId);
        String actor = call.actor();
        if (a.equals("rotate")) {
            IssuedKey fresh = c.manager.rotate(call.keyId, grace, actor);
            ObjectNode out = AdminJson.issued(fresh.key(), fresh.plaintext());
            out.put("rotatedFrom", call.keyId);
            call.res.setHeader("Location", call.req.getContextPath() + call.req.getServletPath() + "/keys/" + fresh.key().id());
            send(call.res, 201, out);
            return;
        }
        ApiKey k = switch (a) {
            case "revoke" -> c.manager.revoke(call.keyId, actor, reason);
            case "approve" -> c.manager.approve(call.keyId, actor);
            case "reject" -> c.manager.reject(call.keyId, actor, reason);
            case "disable" -> c.manager.disable(call.keyId, actor, reason);
            case "enable" -> c.manager.enable(call.keyId, actor);
            default -> throw new NotFound();
        };
        send(call.res, 200, AdminJson.key(k));
    }

    private void verify(Config c, Call call) throws IOException {
        queryParams(call, Set.of());
        ObjectNode body = body(c, call, true);
        AdminJson.onlyFields(body, Set.of("key", "permissions", "clientAddress"), Set.of(), "");
        if (!body.hasNonNull("key")) throw bad("key", "is required");
        String key = AdminJson.text(body.get("key"), "key", 256);
        Set<String> permissions = body.hasNonNull("permissions") ? AdminJson.permissions(body.get("permissions"), "permissions") : Set.of();
        Requirement requirement = Requirement.NONE;
        if (!permissions.isEmpty()) {
            try {
                requirement = Requirement.of(PermissionQuery.parse(String.join(" AND ", permissions)));
            } catch (IllegalArgumentException e) {
                throw bad("permissions", "too many or too long");
            }
        }
        dev.keys.api.RequestContext ctx = dev.keys.api.RequestContext.NONE;
        if (body.hasNonNull("clientAddress")) {
            String a = AdminJson.text(body.get("clientAddress"), "clientAddress", 64);
            ctx = ctx.withClientAddress(Requests.literalAddress(a).orElseThrow(() -> bad("clientAddress", "not an IP address")));
        }
        Verification v = c.verifier.verify(key, ctx, requirement);
        if (v.outcome() == Outcome.STORE_UNAVAILABLE) throw new StoreException.Unavailable("store unavailable", null);
        Optional<ApiKey> k = v instanceof Verification.Valid valid ? Optional.of(valid.key()) : ((Verification.Denied) v).key();
        Outcome outcome = v.outcome();
        if (k.isPresent() && !call.admin && !k.get().tenant().equals(call.caller.tenant())) {
            k = Optional.empty();
            outcome = Outcome.NOT_FOUND;
        }
        ObjectNode out = AdminJson.NODES.objectNode();
        out.put("valid", outcome == Outcome.VALID);
        out.put("code", outcome.name());
        if (k.isPresent()) {
            out.put("keyId", k.get().id());
            out.put("ownerId", k.get().ownerId());
            out.put("tenant", k.get().tenant());
            OptionalLong left = c.quotas.remaining(k.get(), c.clock.nanos());
            if (left.isPresent()) out.put("remaining", left.getAsLong());
            else out.putNull("remaining");
        } else {
            out.putNull("keyId");
            out.putNull("ownerId");
            out.putNull("tenant");
            out.putNull("remaining");
        }
        var report = v instanceof Verification.Valid valid ? valid.rateLimits() : ((Verification.Denied) v).rateLimits();
        out.set("ratelimits", k.isPresent() ? AdminJson.ratelimitStatuses(report.statuses()) : AdminJson.NODES.arrayNode());
        send(call.res, 200, out);
    }

    private void usage(Config c, Call call) throws IOException {
        Map<String, String> q = queryParams(call, Set.of("from", "to", "granularity"));
        visible(c, call, call.keyId);
        if (c.usage.isEmpty()) throw new NotFound();
        Instant to = q.containsKey("to") ? AdminJson.instant(q.get("to"), "to") : c.clock.instant();
        Instant from = q.containsKey("from") ? AdminJson.instant(q.get("from"), "from") : to.minus(Duration.ofDays(1));
        if (!from.isBefore(to)) throw bad("from", "must be before to");
        Duration g = granularity(q.get("granularity"));
        if (Duration.between(from, to).dividedBy(g) > 100_000) throw bad("granularity", "too fine for the range (more than 100000 periods)");
        List<UsageCount> counts = c.usage.get().counts(call.keyId, from, to, g);
        ObjectNode out = AdminJson.NODES.objectNode();
        out.put("keyId", call.keyId);
        out.put("from", from.toString());
        out.put("to", to.toString());
        out.put("granularity", g.toString());
        ArrayNode items = out.putArray("counts");
        Map<String, Long> totals = new LinkedHashMap<>();
        for (UsageCount u : counts) {
            ObjectNode o = items.addObject();
            o.put("periodStart", u.periodStart().toString());
            o.put("outcome", u.outcome().name());
            o.put("count", u.count());
            totals.merge(u.outcome().name(), u.count(), Long::sum);
        }
        ObjectNode t = out.putObject("totals");
        totals.forEach(t::put);
        send(call.res, 200, out);
    }

    private static Duration granularity(String text) {
        if (text == null) return Duration.ofHours(1);
        switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "minute": return Duration.ofMinutes(1);
            case "hour": return Duration.ofHours(1);
            case "day": return Duration.ofDays(1);
            default:
        }
        try {
            Duration d = Duration.parse(text);
            if (!d.isNegative() && !d.isZero() && d.getNano() == 0 && d.getSeconds() % 60 == 0) return d;
        } catch (java.time.format.DateTimeParseException e) {
            // answered below
        }
        throw bad("granularity", "must be minute, hour, day or an ISO-8601 duration of whole minutes");
    }

    private void audit(Config c, Call call) throws IOException {
        Map<String, String> q = queryParams(call, Set.of("keyId", "tenant", "limit", "cursor"));
        if (c.audit.isEmpty()) throw new NotFound();
        Optional<String> tenant = Optional.ofNullable(q.get("tenant"));
        if (!call.admin) {
            if (tenant.isPresent() && !tenant.get().equals(call.caller.tenant())) throw new NotFound();
            tenant = Optional.of(call.caller.tenant());
        }
        int limit = limit(q.get("limit"));
        Page<AuditEvent> page;
        try {
            page = c.audit.get().find(tenant, Optional.ofNullable(q.get("keyId")), limit, Optional.ofNullable(q.get("cursor")));
        } catch (IllegalArgumentException e) {
            throw bad("cursor", "not a cursor this API returned");
        }
        ObjectNode out = AdminJson.NODES.objectNode();
        ArrayNode items = out.putArray("items");
        page.items().forEach(e -> items.add(AdminJson.audit(e)));
        if (page.nextCursor().isPresent()) out.put("nextCursor", page.nextCursor().get());
        else out.putNull("nextCursor");
        send(call.res, 200, out);
    }

    // ---- helpers ----

    /** The key, when the caller may see it; otherwise 404 as if it did not exist. */
    private static ApiKey visible(Config c, Call call, String id) {
        ApiKey k = c.manager.get(id).orElseThrow(NotFound::new);
        if (!call.admin && !k.tenant().equals(call.caller.tenant())) throw new NotFound();
        return k;
    }

    /** The key, when the caller may change it. */
    private static ApiKey writable(Config c, Call call, String id) {
        ApiKey k = visible(c, call, id);
        if (!call.admin && c.isAdmin(k)) throw new Forbidden("only a " + ADMIN + " caller changes a key that holds " + ADMIN);
        return k;
    }

    private static Set<String> validOnly(Set<String> permissions) {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String p : permissions) if (dev.keys.core.authz.Permissions.isValid(p)) out.add(p);
        return out;
    }

    /** The query parameters, each at most once; unknown ones answer 400. The credential parameter is ignored. */
    private Map<String, String> queryParams(Call call, Set<String> allowed) {
        Map<String, String> out = new LinkedHashMap<>();
        String credentialParam = config.auth.sources().queryParameter().orElse(null);
        List<FormData.Pair> pairs;
        try {
            pairs = FormData.parse(call.req.getQueryString());
        } catch (IllegalArgumentException e) {
            throw new AdminJson.BadRequest("query: bad percent-encoding");
        }
        for (FormData.Pair p : pairs) {
            String name = p.name();
            if (name.equals(credentialParam)) continue;
            if (!allowed.contains(name)) throw bad(AdminJson.fieldName("", name), "unknown query parameter");
            if (out.put(name, p.value()) != null) throw bad(name, "given twice");
        }
        return out;
    }

    private static ObjectNode body(Config c, Call call, boolean required) throws IOException {
        HttpServletRequest req = call.req;
        long declared = req.getContentLengthLong();
        if (declared > c.maxBodyBytes) throw new TooLarge();
        byte[] bytes = req.getInputStream().readNBytes(c.maxBodyBytes + 1);
        if (bytes.length > c.maxBodyBytes) throw new TooLarge();
        if (bytes.length == 0) {
            if (required) throw bad("body", "a JSON object is required");
            return AdminJson.NODES.objectNode();
        }
        String type = req.getContentType();
        if (type != null) {
            String t = type.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
            if (!t.equals("application/json") && !t.endsWith("+json")) throw new UnsupportedType();
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw bad("body", "not valid JSON" + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")"));
        } catch (IOException e) {
            // Bytes that look like UTF-16/32 but are not (CharConversionException): not JSON either, not a 500.
            throw bad("body", "not valid JSON");
        }
        if (node == null || !node.isObject()) throw bad("body", "must be a JSON object");
        return (ObjectNode) node;
    }

    private static void send(HttpServletResponse res, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        res.setStatus(status);
        res.setHeader("Cache-Control", "no-store");
        res.setContentType("application/json");
        res.setContentLength(bytes.length);
        try (OutputStream out = res.getOutputStream()) {
            out.write(bytes);
        }
    }

    /** Configuration of a {@link KeyAdminServlet} in code. */
    public static final class Builder {
        private final Keys keys;
        private Optional<AuditLog> audit = Optional.empty();
        private Optional<UsageLog> usage = Optional.empty();
        private Clock clock = Clock.system();
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private CredentialSources sources = CredentialSources.defaults();
        private String realm = "admin";
        private long storeRetryAfterSeconds = 1;
        private Roles roles = Roles.EMPTY;
        private TrustedProxies proxies = TrustedProxies.NONE;
        private Optional<ClientManager> clients = Optional.empty();

        private Builder(Keys keys) {
            this.keys = keys;
            this.roles = keys.roles();
            this.clock = keys.clock();
        }

        /** Answers {@code GET /audit}; the same log should be the {@code Keys}' audit sink. Without it, 404. */
        public Builder auditLog(AuditLog a) { audit = Optional.of(a); return this; }

        /** Answers {@code GET /keys/{id}/usage}; the same log should be the verifier's usage sink. Without it, 404. */
        public Builder usageLog(UsageLog u) { usage = Optional.of(u); return this; }

        /**
         * The roles keys may hold: the same as the verifier's ({@code Verifier.Builder.roles}), so that a role that
         * grants {@code keys:admin} counts as {@code keys:admin} when callers are checked and keys are granted.
         * Default the {@code Keys}' roles.
         */
        public Builder roles(Roles r) { roles = Objects.requireNonNull(r); return this; }

        /**
         * Serves {@code /clients} (OAuth 2.0 clients of the client-credentials grant). Without it, {@code /clients}
         * answers 404.
         */
        public Builder clients(ClientManager m) { clients = Optional.of(m); return this; }

        /** Which socket peers may report the caller's address in {@code X-Forwarded-For}. Default none. */
        public Builder trustedProxies(TrustedProxies p) { proxies = Objects.requireNonNull(p); return this; }

        /** The clock for default usage ranges and remaining uses; Default the {@code Keys}' clock. */
        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }

        /** Larger bodies answer 413. Default 64 KiB. */
        public Builder maxBodyBytes(int n) {
            if (n < 1) throw new IllegalArgumentException("max-body-bytes must be positive");
            maxBodyBytes = n;
            return this;
        }

        /** Where the caller's key is read from. Default as {@link CredentialSources#defaults()}. */
        public Builder credentials(CredentialSources s) { sources = Objects.requireNonNull(s); return this; }

        /** The realm of {@code WWW-Authenticate}. Default {@code admin}. */
        public Builder realm(String r) {
            if (r == null || r.isEmpty()) throw new IllegalArgumentException("realm must not be empty");
            realm = r;
            return this;
        }

        /** {@code Retry-After} of a 503. Default 1 s. */
        public Builder storeRetryAfter(Duration d) { storeRetryAfterSeconds = Math.max(1, (d.toMillis() + 999) / 1000); return this; }

        Config config() {
            return new Config(keys.manager(), keys.verifier(), keys.quotas(), audit, usage, clock, maxBodyBytes, roles,
                    new ApiKeyFilter.Settings(sources, new Denials(realm, false, storeRetryAfterSeconds), false, null, proxies, List.of()), clients);
        }

        public KeyAdminServlet build() {
            return new KeyAdminServlet(config());
        }
    }
}
