package dev.keys.servlet;

import dev.keys.api.Clock;
import dev.keys.api.Outcome;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.authz.Policy;
import dev.keys.core.authz.Requirement;
import dev.keys.core.authz.RouteMatch;
import dev.keys.core.authz.RouteTable;
import dev.keys.core.authz.TrustedProxies;
import dev.keys.core.ops.ObservingVerifier;
import dev.keys.core.ops.VerificationListener;
import dev.keys.core.verify.CredentialVerifier;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * A servlet filter that lets a request through only with a valid credential (docs/contract.md §3).
 *
 * <p>Per request: read the one credential ({@link CredentialSources}; two credentials answer 400
 * {@code invalid_request}), find the route's {@link Requirement} in the {@link RouteTable} when one is configured
 * (on the normalised path; a path that cannot be normalised answers 400 without touching the verifier, and an
 * unmatched one gets {@link Requirement#UNMATCHED} unless the table allows it), take the client address through the
 * {@link TrustedProxies} rule, verify the credential once against the requirement with the
 * {@link CredentialVerifier} of the credential's {@linkplain CredentialSources.Source source}, and then either pass
 * the request on, wrapped so that {@code getUserPrincipal()} is an {@link ApiKeyPrincipal} named by the key id,
 * {@code isUserInRole} answers from the key's roles, {@code getAuthType()} is what the verifier
 * {@linkplain CredentialVerifier#authType names} and the attribute {@value #VERIFICATION_ATTRIBUTE} holds the
 * {@link Verification.Valid}; or answer the denial as {@code application/problem+json} with
 * {@code WWW-Authenticate}, {@code Retry-After} and the RateLimit fields, without calling the chain. Nothing here
 * blocks on I/O for a cached key, logs a credential, or verifies a request twice (a forwarded or included request
 * that already carries a verification passes as it is). {@code TRACE} is answered 405 before anything else, since a
 * servlet's inherited {@code doTrace} would echo the credential (docs/contract.md §3). Timing, metrics and alerts
 * are decorators of the verifier ({@link ObservingVerifier}), never code of the filter.
 *
 * <p>Build it in code with {@link #builder(CredentialVerifier)} (a {@code Verifier}, a {@code Keys}' verifier, or
 * any composition of them), or declare it with its no-argument constructor and init-params (see
 * {@code docs/servlet.md}); then it finds its verifier in the servlet-context attribute named by the init-param
 * {@code keys-attribute} (default {@value #DEFAULT_KEYS_ATTRIBUTE}), which holds a {@code dev.keys.core.Keys} or a
 * {@code Verifier}. Fail-closed or a stale bound is a setting of that verifier ({@code Verifier.Builder.staleBound}).
 *
 * <p>JWTs. A bearer-token verifier such as {@code keys-jwt}'s {@code JwtVerifier} ({@link Builder#jwt}, or the
 * context attribute named by the init-param {@code jwt-attribute}, default {@value #DEFAULT_JWT_ATTRIBUTE}) is
 * composed in front of the key verifier for the {@code Authorization: Bearer} source only: a bearer credential it
 * {@linkplain CredentialVerifier#accepts accepts} is verified as a token, against the same route requirement;
 * everything else, and a JWT-shaped value in another source, as an API key. The answers are the same for both.
 */
public final class ApiKeyFilter implements Filter {
    /** Request attribute holding the {@link Verification.Valid} of an admitted request. */
    public static final String VERIFICATION_ATTRIBUTE = "dev.keys.verification";
    /** Default servlet-context attribute where a filter declared by init-params finds its {@code Keys} or {@code Verifier}. */
    public static final String DEFAULT_KEYS_ATTRIBUTE = "dev.keys.core.Keys";
    /** What {@code getAuthType()} answers for a request admitted with an API key. */
    public static final String AUTH_TYPE = CredentialVerifier.API_KEY;
    /** What {@code getAuthType()} answers for a request admitted with a JWT bearer token (the JWT verifier's name). */
    public static final String JWT_AUTH_TYPE = "JWT";
    /** Default servlet-context attribute where a filter declared by init-params finds an optional {@code JwtVerifier}. */
    public static final String DEFAULT_JWT_ATTRIBUTE = "dev.keys.jwt.JwtVerifier";

    static final System.Logger LOG = System.getLogger("dev.keys.servlet");
    private static final Verification.Denied MISSING = new Verification.Denied(Outcome.MISSING, "no credential was sent");
    private static final Verification.Denied EMPTY = new Verification.Denied(Outcome.MALFORMED, "the credential is empty");

    private volatile Settings settings;

    /** For declaration in {@code web.xml} or by class name: configured by init-params in {@link #init}. */
    public ApiKeyFilter() {
    }

    private ApiKeyFilter(Settings settings) {
        this.settings = settings;
    }

    /** A filter that verifies every credential with {@code verifier} (unless {@link Builder#verifier} says otherwise for a source). */
    public static Builder builder(CredentialVerifier verifier) {
        return new Builder(Objects.requireNonNull(verifier, "verifier"));
    }

    /**
     * {@code routes} null: no route table, every request needs a valid credential and nothing more.
     * {@code verifiers} holds one verifier per {@link CredentialSources.Source}, by ordinal (empty for the admin API,
     * which verifies its callers itself).
     */
    record Settings(CredentialSources sources, Denials denials, boolean hideCredentials,
                    RouteTable routes, TrustedProxies proxies, List<CredentialVerifier> verifiers, ToLongFunction<HttpServletRequest> costs) {
        Settings {
            verifiers = List.copyOf(verifiers);
        }

        CredentialVerifier verifier(CredentialSources.Source source) {
            return verifiers.get(source.ordinal());
        }
    }

    /** Reads init-params unless the filter was built in code. */
    @Override
    public void init(FilterConfig config) throws ServletException {
        if (settings != null) return;
        settings = FilterConfigReader.read(config);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        Settings s = settings;
        if (s == null) throw new ServletException("ApiKeyFilter was not initialised");
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            throw new ServletException("ApiKeyFilter serves HTTP only");
        }
        if ("TRACE".equals(request.getMethod())) {
            // Before the credential is read: HttpServlet.doTrace echoes the request headers, key included (§3).
            String id = Problem.send(response, 405, Problem.METHOD_NOT_ALLOWED, "Method not allowed", "TRACE is not allowed");
            LOG.log(System.Logger.Level.DEBUG, "keys: denied METHOD_NOT_ALLOWED (TRACE), request {0}", id);
            return;
        }
        if (request.getAttribute(VERIFICATION_ATTRIBUTE) instanceof Verification.Valid) {
            chain.doFilter(request, response);
            return;
        }
        CredentialSources.Credential credential = s.sources.credential(request);
        if (credential == CredentialSources.Credential.AMBIGUOUS) {
            response.setHeader("WWW-Authenticate", Problem.challenge(s.denials.realm(), "invalid_request"));
            String id = Problem.send(request, response, 400, Problem.INVALID_REQUEST, "Invalid request",
                    "the request carries more than one credential");
            LOG.log(System.Logger.Level.DEBUG, "keys: denied INVALID_REQUEST (two credentials), request {0}", id);
            return;
        }
        Verification v;
        CredentialVerifier verifier = null;
        if (credential == null) {
            v = MISSING;
        } else if (credential.value().isEmpty()) {
            v = EMPTY;
        } else {
            RequestContext ctx = Requests.context(request, s.proxies);
            Requirement requirement = Requirement.NONE;
            long cost = 1;
            if (s.routes != null) {
                RouteMatch m = s.routes.match(ctx.method(), ctx.path());
                if (m instanceof RouteMatch.Matched matched) {
                    requirement = matched.requirement();
                    cost = matched.route().cost();
                } else if (m instanceof RouteMatch.NoMatch none) {
                    requirement = none.requirement();
                } else {
                    String id = Problem.send(request, response, 400, Problem.INVALID_REQUEST, "Invalid request",
                            "the request path is not acceptable: " + ((RouteMatch.BadPath) m).reason());
                    LOG.log(System.Logger.Level.DEBUG, "keys: denied INVALID_REQUEST (path), request {0}", id);
                    return;
                }
            }
            if (s.costs != null) cost = s.costs.applyAsLong(request);
            // Only a weighted request pays for a second context.
            if (cost != 1) ctx = ctx.withCost(cost);
            verifier = s.verifier(credential.source());
            v = verifier.verify(credential.value(), ctx, requirement);
        }
        if (v instanceof Verification.Valid valid) {
            Problem.rateLimitFields(response, valid.rateLimits());
            request.setAttribute(VERIFICATION_ATTRIBUTE, valid);
            String authType = verifier.authType(credential.value());
            chain.doFilter(new VerifiedRequest(request, valid.key(), s.hideCredentials ? s.sources : null, authType), response);
            return;
        }
        s.denials.write(request, response, (Verification.Denied) v);
    }

    /**
     * Answers {@code denied} exactly as this filter answers its own denials (realm, opaque mode, {@code Retry-After},
     * RateLimit fields, problem+json): for integrations that deny after the filter admitted a request, such as Spring
     * Security's entry point and access-denied handler, so that clients see one kind of answer.
     */
    public void deny(HttpServletRequest request, HttpServletResponse response, Verification.Denied denied) throws IOException {
        Settings s = settings;
        if (s == null) throw new IllegalStateException("ApiKeyFilter was not initialised");
        s.denials.write(request, response, Objects.requireNonNull(denied, "denied"));
    }

    @Override
    public void destroy() {
    }

    /** Configuration of an {@link ApiKeyFilter} in code. */
    public static final class Builder {
        private final CredentialVerifier verifier;
        private final Map<CredentialSources.Source, CredentialVerifier> bySource = new EnumMap<>(CredentialSources.Source.class);
        private CredentialVerifier bearerTokens;
        private CredentialSources sources = CredentialSources.defaults();
        private String realm = "api";
        private boolean opaque, hideCredentials;
        private long storeRetryAfterSeconds = 1;
        private RouteTable routes;
        private TrustedProxies proxies = TrustedProxies.NONE;
        private VerificationListener listener;
        private ToLongFunction<HttpServletRequest> costs;

        private Builder(CredentialVerifier verifier) {
            this.verifier = verifier;
        }

        /** Where the key is read from. Default {@code Authorization: Bearer} and {@code X-API-Key}. */
        public Builder credentials(CredentialSources s) { sources = Objects.requireNonNull(s); return this; }

        /** The realm of {@code WWW-Authenticate}. Default {@code api}. */
        public Builder realm(String r) {
            if (r == null || r.isEmpty()) throw new IllegalArgumentException("realm must not be empty");
            realm = r;
            return this;
        }

        /** Answer {@code NOT_FOUND}, {@code EXPIRED} and {@code REVOKED} alike (as {@code NOT_FOUND}). Default off. */
        public Builder opaque(boolean on) { opaque = on; return this; }

        /** Remove the credential headers and query parameter from the request the application sees. Default off. */
        public Builder hideCredentials(boolean on) { hideCredentials = on; return this; }

        /** {@code Retry-After} of a 503 {@code STORE_UNAVAILABLE}, in whole seconds (at least 1). Default 1 s. */
        public Builder storeRetryAfter(Duration d) {
            storeRetryAfterSeconds = Math.max(1, (d.toMillis() + 999) / 1000);
            return this;
        }

        /**
         * What each request needs: first matching route wins, unmatched requests are denied (403 {@code FORBIDDEN},
         * after the key is authenticated, without using its limits) unless the table allows them. Patterns match the path inside the web application (context path removed),
         * e.g. {@code GET /api/documents/** -> documents:read} for a filter mapped to {@code /api/*}. Default: no
         * table, every request needs a valid key only.
         */
        public Builder routes(RouteTable table) { routes = Objects.requireNonNull(table); return this; }

        /** Which socket peers may report the client address in {@code X-Forwarded-For}. Default none. */
        public Builder trustedProxies(TrustedProxies p) { proxies = Objects.requireNonNull(p); return this; }

        /**
         * The routes and trusted proxies of an authorization policy ({@code PolicyLoader}). Its roles belong to the
         * verifier ({@code Verifier.Builder.roles}), which flattens them into each key's permissions.
         */
        public Builder policy(Policy p) {
            routes = p.routes();
            proxies = p.trustedProxies();
            return this;
        }

        /**
         * Applies a JSON policy file: the filter's fields ({@code realm}, {@code credentials{bearer, headers[],
         * queryParameter}}, {@code opaque}, {@code hideCredentials}, {@code storeRetryAfter}) and an authorization
         * policy's ({@code routes}, {@code unmatched}, {@code caseInsensitive}, {@code trustedProxies}; {@code roles}
         * are refused here: they belong to the verifier). See {@code docs/servlet.md}.
         *
         * @throws IllegalArgumentException naming the field that is wrong
         */
        public Builder policy(java.nio.file.Path file) {
            FilterConfigReader.apply(file, this);
            return this;
        }

        /**
         * Verifies credentials read from {@code source} with {@code verifier} instead of the filter's own. Default:
         * the filter's verifier for every source ({@link #jwt} composes one for {@code BEARER}); the last setting
         * for a source wins.
         */
        public Builder verifier(CredentialSources.Source source, CredentialVerifier verifier) {
            bySource.put(Objects.requireNonNull(source, "source"), Objects.requireNonNull(verifier, "verifier"));
            return this;
        }

        /**
         * Accept JWT bearer tokens next to API keys: an {@code Authorization: Bearer} credential that
         * {@code verifier} {@linkplain CredentialVerifier#accepts accepts} (shaped like a JWT) is verified by it (its
         * issuer, audience, keys, and rate limits per subject with {@code JwtVerifier.Builder.limits}), any other by
         * the filter's verifier: {@code CredentialVerifier.firstAccepting(List.of(verifier, filter's))} for the
         * {@code BEARER} source, unless {@link #verifier} sets that source. Routes, ABAC conditions and answers apply
         * unchanged. Default none: every credential is an API key.
         */
        public Builder jwt(CredentialVerifier verifier) { bearerTokens = Objects.requireNonNull(verifier); return this; }

        /**
         * Told of every verification of a request that carried a credential, with its client address and duration:
         * the feed of per-address alert rules and the latency timer ({@code AlertingUsageSink}, {@code KeysMetrics}).
         * Shorthand for building the filter on {@code ObservingVerifier.of(verifier, Clock.system(), l)}: each
         * source's verifier is wrapped so. Called on the request thread: it must only count or enqueue. Default none.
         */
        public Builder listener(VerificationListener l) { listener = Objects.requireNonNull(l); return this; }

        /**
         * The cost of each request, in tokens taken from every rate limit of its key, when it depends on more than the
         * route (the size of a batch, say): its answer replaces the route's {@code cost=N}. It runs on the request
         * thread once the credential is read, and must answer at least 1 (a smaller answer is a bug and fails the
         * request). Default: the matched route's cost, else 1.
         */
        public Builder cost(ToLongFunction<HttpServletRequest> f) { costs = Objects.requireNonNull(f); return this; }

        public ApiKeyFilter build() {
            return new ApiKeyFilter(settings());
        }

        Settings settings() {
            List<CredentialVerifier> verifiers = new ArrayList<>();
            for (CredentialSources.Source source : CredentialSources.Source.values()) {
                CredentialVerifier v = bySource.get(source);
                if (v == null) {
                    v = source == CredentialSources.Source.BEARER && bearerTokens != null
                            ? CredentialVerifier.firstAccepting(List.of(bearerTokens, verifier)) : verifier;
                }
                verifiers.add(listener == null ? v : ObservingVerifier.of(v, Clock.system(), listener));
            }
            return new Settings(sources, new Denials(realm, opaque, storeRetryAfterSeconds), hideCredentials, routes, proxies, verifiers, costs);
        }
    }
}
