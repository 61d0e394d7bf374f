package dev.keys.servlet;

import dev.keys.api.AuditLog;
import dev.keys.api.Clock;
import dev.keys.api.Environment;
import dev.keys.api.UsageLog;
import dev.keys.core.Keys;
import dev.keys.core.authz.Roles;
import dev.keys.core.authz.TrustedProxies;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.limit.QuotaEnforcer;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.lifecycle.ClientManager;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.RoleManager;
import dev.keys.core.verify.CredentialVerifier;
import dev.keys.core.verify.Verifier;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The admin API of docs/contract.md §5 as a servlet, mounted under a base such as {@code /admin/v1/*}: keys
 * (create, read, list, change, revoke, rotate, approve, reject, and as additions disable and enable),
 * {@code /keys/verify}, per-key usage, the audit log, and, with a {@link ClientManager}, OAuth clients under
 * {@code /clients} (create, read, list, change, revoke, disable, enable).
 *
 * <p>Callers authenticate with a credential read as {@link ApiKeyFilter} reads one and verified by a
 * {@link CredentialVerifier} (the {@code Keys}' verifier unless {@link Builder#callers} says otherwise), or by the
 * filter's verification when the filter runs in front, so that it is not verified twice. The rules of who may do
 * what are the core's {@link AdminPolicy}, enforced by the managers: a caller holding {@code keys:admin} acts on
 * every tenant, one holding {@code keys:manage} only on its own (another tenant's key answers 404, never 403, so
 * that ids do not leak), and only a {@code keys:admin} caller grants {@code keys:admin} or changes what holds it
 * (403), and a {@code keys:manage} caller grants only what its tenant's ceiling covers. A {@code keys:read} caller
 * only reads, a {@code keys:verify} caller only calls {@code /keys/verify} (403 for anything else). The caller's
 * key id is the audit actor; the managers write the audit events.
 *
 * <p>Every request is checked whole (route, method, caller, body size, JSON shape, every field, then the caller's
 * right to the result) before anything is written, so that an error leaves nothing half-written. Every error is
 * {@code application/problem+json}; no stack trace and no key appears in any answer but the create and rotate
 * answers, which carry the new key once. The parts: {@link AdminRouter} (routes and the one error mapping),
 * {@link KeyResource}, {@link ClientResource}, {@link ActivityResource}, {@link AdminCall} (reading a request),
 * {@link AdminViews} (the answers).
 */
public final class KeyAdminServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    public static final String ADMIN = AdminPolicy.ADMIN, MANAGE = AdminPolicy.MANAGE;
    public static final String DEFAULT_AUDIT_LOG_ATTRIBUTE = "dev.keys.api.AuditLog";
    public static final String DEFAULT_USAGE_LOG_ATTRIBUTE = "dev.keys.api.UsageLog";
    public static final String DEFAULT_ROLES_ATTRIBUTE = "dev.keys.core.authz.Roles";
    public static final String DEFAULT_CLIENTS_ATTRIBUTE = "dev.keys.core.lifecycle.ClientManager";
    public static final String DEFAULT_POLICY_ATTRIBUTE = "dev.keys.core.lifecycle.AdminPolicy";
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

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

    /** Everything a request needs, fixed when the servlet is built. The managers are under {@code policy}. */
    record Config(KeyManager keys, Optional<ClientManager> clients, RoleManager roles, Verifier verifier, QuotaEnforcer quotas, Optional<AuditLog> audit,
                  Optional<UsageLog> usage, Clock clock, int maxBodyBytes, AdminPolicy policy, AdminCallers callers,
                  Map<Environment, String> prefixes, Optional<DashboardResource> dashboard) {
        /** The prefix of a key created without one (docs/contract.md §2). */
        String prefix(Environment e) {
            return prefixes.get(e);
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
        if (ctx.getAttribute(param(sc, "policy-attribute", DEFAULT_POLICY_ATTRIBUTE)) instanceof AdminPolicy p) b.policy(p);
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
            String dashboard = sc.getInitParameter("dashboard");
            if (dashboard != null && !dashboard.isBlank() && FilterConfigReader.bool("dashboard", dashboard.strip())) {
                Dashboard.Builder d = Dashboard.builder();
                String idle = sc.getInitParameter("dashboard-idle-timeout"), life = sc.getInitParameter("dashboard-lifetime");
                String secure = sc.getInitParameter("dashboard-always-secure");
                try {
                    if (idle != null && !idle.isBlank()) d.idleTimeout(Duration.parse(idle.strip()));
                    if (life != null && !life.isBlank()) d.lifetime(Duration.parse(life.strip()));
                } catch (java.time.format.DateTimeParseException e) {
                    throw new IllegalArgumentException("dashboard-idle-timeout and dashboard-lifetime are ISO-8601 durations such as PT15M");
                }
                if (secure != null && !secure.isBlank()) d.alwaysSecure(FilterConfigReader.bool("dashboard-always-secure", secure.strip()));
                b.dashboard(d.build());
            }
            String opaque = sc.getInitParameter("opaque");
            if (opaque != null && !opaque.isBlank()) b.opaque(FilterConfigReader.bool("opaque", opaque.strip()));
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

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Config c = config;
        if (c == null) {
            Problem.send(req, res, 500, Problem.INTERNAL_ERROR, "Internal error", "the admin servlet is not initialised");
            return;
        }
        AdminRouter.serve(c, req, res);
    }

    /** Configuration of a {@link KeyAdminServlet} in code. */
    public static final class Builder {
        private final Keys keys;
        private Optional<AuditLog> audit = Optional.empty();
        private Optional<UsageLog> usage = Optional.empty();
        private Clock clock;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private CredentialSources sources = CredentialSources.defaults();
        private CredentialVerifier callers;
        private String realm = "admin";
        private long storeRetryAfterSeconds = 1;
        private boolean opaque;
        private Roles roles;
        private Optional<AdminPolicy> policy = Optional.empty();
        private TrustedProxies proxies = TrustedProxies.NONE;
        private Optional<ClientManager> clients = Optional.empty();
        private Optional<Dashboard> dashboard = Optional.empty();
        private final Map<Environment, String> prefixes = new EnumMap<>(Map.of(Environment.LIVE, "sk_live", Environment.TEST, "sk_test"));

        private Builder(Keys keys) {
            this.keys = keys;
            this.roles = keys.roleCatalog().fixed();
            this.clock = keys.clock();
            this.callers = keys.verifier();
        }

        /** Answers {@code GET /audit}; the same log should be the audit sink of the {@code Keys} and the {@link ClientManager}. Without it, 404. */
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
         * The caller rules in whole: the roles as {@link #roles}, and the tenants' ceilings, what each tenant's
         * managers may grant ({@code AdminPolicy.builder(roles).routes(routes).ceiling(...)}, or
         * {@code AdminPolicy.from(PolicyLoader.load(file))}). Given, it wins over {@link #roles}. Default
         * {@code AdminPolicy.of(roles)}: the ceiling of every tenant is then the defined roles alone.
         */
        public Builder policy(AdminPolicy p) { policy = Optional.of(p); return this; }

        /**
         * Serves {@code /clients} (OAuth 2.0 clients of the client-credentials grant), under this servlet's caller
         * rules. The manager writes the audit events ({@code ClientManager.Builder.audit}). Without it,
         * {@code /clients} answers 404.
         */
        public Builder clients(ClientManager m) { clients = Optional.of(m); return this; }

        /**
         * What verifies a caller's credential against {@code keys:admin OR keys:manage}. Default the {@code Keys}'
         * verifier; for instance {@code CredentialVerifier.firstAccepting(List.of(jwtVerifier, keys.verifier()))}
         * also admits callers with a JWT.
         */
        public Builder callers(CredentialVerifier v) { callers = Objects.requireNonNull(v); return this; }

        /** Which socket peers may report the caller's address in {@code X-Forwarded-For}. Default none. */
        public Builder trustedProxies(TrustedProxies p) { proxies = Objects.requireNonNull(p); return this; }

        /** The clock for default usage ranges and remaining uses; Default the {@code Keys}' clock. */
        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }

        /**
         * The prefix given to keys of {@code environment} created without one (docs/contract.md §2). Default
         * {@code sk_live} and {@code sk_test}.
         *
         * @throws IllegalArgumentException when {@code prefix} is not a valid prefix
         */
        public Builder defaultPrefix(Environment environment, String prefix) {
            prefixes.put(Objects.requireNonNull(environment, "environment"), KeyFormat.requireValidPrefix(prefix));
            return this;
        }

        /** Larger bodies answer 413. Default 64 KiB. */
        public Builder maxBodyBytes(int n) {
            if (n < 1) throw new IllegalArgumentException("max-body-bytes must be positive");
            maxBodyBytes = n;
            return this;
        }

        /**
         * Serves the admin dashboard under the base at {@code ui/} (docs/dashboard.md): a page that signs in with a
         * key, which becomes a session cookie scoped to the base, and then calls this API through the session. The
         * sessions live in this process's memory: behind a balancer, route a browser to one instance (sticky
         * sessions). Without it, {@code ui/} answers 404 and no cookie is accepted.
         */
        public Builder dashboard(Dashboard d) { dashboard = Optional.of(d); return this; }

        /** Where the caller's key is read from. Default as {@link CredentialSources#defaults()}. */
        public Builder credentials(CredentialSources s) { sources = Objects.requireNonNull(s); return this; }

        /** The realm of {@code WWW-Authenticate}. Default {@code admin}. */
        public Builder realm(String r) {
            if (r == null || r.isEmpty()) throw new IllegalArgumentException("realm must not be empty");
            realm = r;
            return this;
        }

        /**
         * Callers whose key is unknown, expired or revoked get one answer ({@code NOT_FOUND}), as
         * {@code ApiKeyFilter.Builder.opaque} does for the API: set both from the same setting. The audit still holds
         * the real code. Default off.
         */
        public Builder opaque(boolean on) { opaque = on; return this; }

        /** {@code Retry-After} of a 503. Default 1 s. */
        public Builder storeRetryAfter(Duration d) { storeRetryAfterSeconds = Math.max(1, (d.toMillis() + 999) / 1000); return this; }

        Config config() {
            // Linked to the roles the Keys' store keeps, so that runtime roles count here as in the verifier.
            AdminPolicy policy = this.policy.orElseGet(() -> AdminPolicy.of(roles)).withStoredRolesOf(keys.roleCatalog());
            AdminCallers who = new AdminCallers(sources, callers, proxies, new Denials(realm, opaque, storeRetryAfterSeconds), policy);
            return new Config(keys.manager().withPolicy(policy), clients.map(m -> m.withPolicy(policy)), keys.roleManager().withPolicy(policy),
                    keys.verifier(), keys.quotas(), audit, usage, clock, maxBodyBytes, policy, who, Map.copyOf(prefixes),
                    dashboard.map(d -> new DashboardResource(d, clock)));
        }

        public KeyAdminServlet build() {
            return new KeyAdminServlet(config());
        }
    }
}
