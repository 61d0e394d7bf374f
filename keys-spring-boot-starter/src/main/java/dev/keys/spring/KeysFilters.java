package dev.keys.spring;

import dev.keys.core.Keys;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
import dev.keys.core.authz.RouteTable;
import dev.keys.core.authz.TrustedProxies;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.ops.VerificationListener;
import dev.keys.core.verify.CredentialVerifier;
import dev.keys.core.verify.Verifier;
import dev.keys.servlet.ApiKeyFilter;
import dev.keys.servlet.CredentialSources;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The {@link ApiKeyFilter}s the starter runs, built once from {@link KeysProperties}: one for the application's
 * paths, and one for the admin path when Spring Security authenticates it ahead of the admin servlet. Servlet,
 * Spring Security and WebFlux all answer through these, so that every mode gives the same answers.
 */
record KeysFilters(ApiKeyFilter api, UrlPatterns apiPaths, CredentialSources sources, Optional<Admin> admin) {
    /** The admin path's filter and where it applies. */
    record Admin(ApiKeyFilter filter, UrlPatterns paths, String base) { }

    /** What every admin call needs of its caller, as {@code KeyAdminServlet} asks it (docs/contract.md §5). */
    static final Requirement ADMIN_CALLER = Requirement.of(PermissionQuery.parse(AdminPolicy.ADMIN + " OR " + AdminPolicy.MANAGE));

    static KeysFilters of(KeysProperties p, Keys keys, Stream<CredentialVerifier> beans, Stream<VerificationListener> listeners) {
        CredentialSources sources = sources(p.getCredentials());
        TrustedProxies proxies = TrustedProxies.of(KeysAutoConfiguration.trimmed(p.getFilter().getTrustedProxies()));
        KeysProperties.Filter f = p.getFilter();
        ApiKeyFilter.Builder api = ApiKeyFilter.builder(keys.verifier()).credentials(sources).realm(f.getRealm()).opaque(f.isOpaque())
                .hideCredentials(f.isHideCredentials()).storeRetryAfter(f.getStoreRetryAfter()).trustedProxies(proxies);
        routes(p).ifPresent(api::routes);
        // Bearer-token verifiers (keys-jwt's JwtVerifier); the key verifier itself is no bearer-token verifier.
        List<CredentialVerifier> bearer = beans.filter(v -> !(v instanceof Verifier)).toList();
        if (!bearer.isEmpty()) api.jwt(CredentialVerifier.firstAccepting(bearer));
        listeners.reduce(VerificationListener::both).ifPresent(api::listener);
        Optional<Admin> admin = Optional.empty();
        if (p.getAdmin().enabled()) {
            String base = adminBase(p.getAdmin().getPath());
            ApiKeyFilter adminFilter = ApiKeyFilter.builder(keys.verifier()).credentials(sources).realm(p.getAdmin().getRealm())
                    .storeRetryAfter(f.getStoreRetryAfter()).trustedProxies(proxies)
                    .routes(RouteTable.builder().route("*", base + "/**", ADMIN_CALLER).build()).build();
            admin = Optional.of(new Admin(adminFilter, new UrlPatterns(List.of(base + "/*")), base));
        }
        return new KeysFilters(api.build(), new UrlPatterns(f.getUrlPatterns()), sources, admin);
    }

    /** {@code keys.routes} as a table, or empty for none. */
    static Optional<RouteTable> routes(KeysProperties p) {
        if (p.getRoutes().isBlank()) return Optional.empty();
        return Optional.of(RouteTable.builder().lines(p.getRoutes()).allowUnmatched(p.getFilter().isAllowUnmatched()).build());
    }

    static CredentialSources sources(KeysProperties.Credentials c) {
        CredentialSources.Builder b = CredentialSources.builder().bearer(c.isBearer())
                .headers(KeysAutoConfiguration.trimmed(c.getHeaders()).toArray(String[]::new));
        if (!c.getQueryParameter().isBlank()) b.queryParameter(c.getQueryParameter().strip());
        return b.build();
    }

    /** {@code /admin/v1} from {@code keys.admin.path}, without a trailing slash. */
    static String adminBase(String path) {
        String p = path.strip();
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        if (!p.startsWith("/") || p.length() < 2 || p.contains("*")) {
            throw new IllegalArgumentException("keys.admin.path must be a path such as /admin/v1, or off; found \"" + path + "\"");
        }
        return p;
    }

    /** The filter for a path inside the application, or empty when keys do not guard it. */
    Optional<ApiKeyFilter> filterFor(String path) {
        if (admin.isPresent() && admin.get().paths().matches(path)) return Optional.of(admin.get().filter());
        return apiPaths.matches(path) ? Optional.of(api) : Optional.empty();
    }
}
