package dev.keys.spring;

import dev.keys.api.Environment;
import dev.keys.api.QuotaPeriod;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code keys.*} settings of the starter (docs/contract.md §10). Every one has a default, so that an application
 * that sets none gets the filter on {@code /api/*} and the admin API on {@code /admin/v1}.
 */
@ConfigurationProperties(prefix = "keys")
public class KeysProperties {
    /** The value of keys.admin.path that turns the admin API off. */
    public static final String OFF = "off";

    private final Filter filter = new Filter();
    private final Credentials credentials = new Credentials();
    private final Verifier verifier = new Verifier();
    private final Admin admin = new Admin();
    private final Jdbc jdbc = new Jdbc();

    /**
     * What each request under the filter needs, one route per line in the syntax of docs/contract.md §4, e.g.
     * "GET /api/documents/** -> documents:read". Patterns match the path inside the application. Empty: every
     * request under the filter needs a valid key and nothing more.
     */
    private String routes = "";

    /** Roles keys may hold: keys.roles.reader=documents:read,hello:read (permissions separated by commas). */
    private Map<String, List<String>> roles = new LinkedHashMap<>();

    /** Tiers a key may name ("tier":"free" in the admin API): their rate limits and quota. */
    private Map<String, Tier> tiers = new LinkedHashMap<>();

    /** The tier of keys that name none (or one that is not configured). Empty: none. */
    private String defaultTier = "";

    /**
     * Tenants and the ceiling of what their keys:manage callers may grant (docs/contract.md §5). A tenant without one
     * may grant the defined roles and the permissions keys.routes names.
     */
    private Map<String, Tenant> tenants = new LinkedHashMap<>();

    /** The zone quota periods (day, week, month) follow. */
    private ZoneId quotaZone = ZoneOffset.UTC;

    public Filter getFilter() { return filter; }
    public Credentials getCredentials() { return credentials; }
    public Verifier getVerifier() { return verifier; }
    public Admin getAdmin() { return admin; }
    public Jdbc getJdbc() { return jdbc; }
    public String getRoutes() { return routes; }
    public void setRoutes(String routes) { this.routes = routes == null ? "" : routes; }
    public Map<String, List<String>> getRoles() { return roles; }
    public void setRoles(Map<String, List<String>> roles) { this.roles = roles; }
    public Map<String, Tier> getTiers() { return tiers; }
    public void setTiers(Map<String, Tier> tiers) { this.tiers = tiers; }
    public String getDefaultTier() { return defaultTier; }
    public void setDefaultTier(String defaultTier) { this.defaultTier = defaultTier == null ? "" : defaultTier; }
    public Map<String, Tenant> getTenants() { return tenants; }
    public void setTenants(Map<String, Tenant> tenants) { this.tenants = tenants; }
    public ZoneId getQuotaZone() { return quotaZone; }
    public void setQuotaZone(ZoneId quotaZone) { this.quotaZone = quotaZone; }

    /** The servlet filter (and the WebFlux filter) that admits requests with a valid key. */
    public static class Filter {
        /** Paths the filter guards (servlet URL patterns; for WebFlux "/api/*" covers everything under /api/). */
        private List<String> urlPatterns = new ArrayList<>(List.of("/api/*"));

        /** Let requests that match no route through (with a valid key). Off: they answer 403 FORBIDDEN. */
        private boolean allowUnmatched;

        /** The realm of WWW-Authenticate. */
        private String realm = "api";

        /** Answer NOT_FOUND, EXPIRED and REVOKED alike (as NOT_FOUND); the audit log keeps the real code. */
        private boolean opaque;

        /** Remove the credential headers and query parameter from the request the application sees. */
        private boolean hideCredentials;

        /** Retry-After of a 503 STORE_UNAVAILABLE (whole seconds, at least 1). */
        private Duration storeRetryAfter = Duration.ofSeconds(1);

        /** CIDR ranges of proxies whose X-Forwarded-For is believed for the client address. Empty: none. */
        private List<String> trustedProxies = new ArrayList<>();

        /** Order of the servlet filter registration: just after Spring Security's (-100), before the application's. */
        private int order = -90;

        public List<String> getUrlPatterns() { return urlPatterns; }
        public void setUrlPatterns(List<String> urlPatterns) { this.urlPatterns = urlPatterns; }
        public boolean isAllowUnmatched() { return allowUnmatched; }
        public void setAllowUnmatched(boolean allowUnmatched) { this.allowUnmatched = allowUnmatched; }
        public String getRealm() { return realm; }
        public void setRealm(String realm) { this.realm = realm; }
        public boolean isOpaque() { return opaque; }
        public void setOpaque(boolean opaque) { this.opaque = opaque; }
        public boolean isHideCredentials() { return hideCredentials; }
        public void setHideCredentials(boolean hideCredentials) { this.hideCredentials = hideCredentials; }
        public Duration getStoreRetryAfter() { return storeRetryAfter; }
        public void setStoreRetryAfter(Duration storeRetryAfter) { this.storeRetryAfter = storeRetryAfter; }
        public List<String> getTrustedProxies() { return trustedProxies; }
        public void setTrustedProxies(List<String> trustedProxies) { this.trustedProxies = trustedProxies; }
        public int getOrder() { return order; }
        public void setOrder(int order) { this.order = order; }
    }

    /** Where a request's key is read from (the filter and the admin API alike). */
    public static class Credentials {
        /** Read "Authorization: Bearer <key>". */
        private boolean bearer = true;

        /** Headers that carry the key as their whole value. */
        private List<String> headers = new ArrayList<>(List.of("X-API-Key"));

        /** A query parameter that carries the key. Empty: off (query strings end up in access logs). */
        private String queryParameter = "";

        public boolean isBearer() { return bearer; }
        public void setBearer(boolean bearer) { this.bearer = bearer; }
        public List<String> getHeaders() { return headers; }
        public void setHeaders(List<String> headers) { this.headers = headers; }
        public String getQueryParameter() { return queryParameter; }
        public void setQueryParameter(String queryParameter) { this.queryParameter = queryParameter == null ? "" : queryParameter; }
    }

    /** The verifier: its caches, the change feed it polls, and what it does while the store fails. */
    public static class Verifier {
        /** Most keys kept compiled in memory. */
        private long cacheSize = 1_000_000;

        /** Most unknown digests remembered, so that floods of random keys do not reach the store. */
        private long negativeCacheSize = 100_000;

        /** How long an unknown digest is remembered. */
        private Duration negativeCacheTtl = Duration.ofSeconds(30);

        /** How often the store's change feed is polled: changes made by other instances hold within it. 0: never. */
        private Duration syncInterval = Duration.ofMillis(200);

        /** How long cached keys keep serving once the store is seen failing. 0: fail closed. */
        private Duration staleBound = Duration.ZERO;

        /** Also look up credentials that are not of the key format (imported keys). */
        private boolean acceptImportedKeys;

        /** Accept only keys of this environment (live or test). Unset: both. */
        private Environment environment;

        public long getCacheSize() { return cacheSize; }
        public void setCacheSize(long cacheSize) { this.cacheSize = cacheSize; }
        public long getNegativeCacheSize() { return negativeCacheSize; }
        public void setNegativeCacheSize(long negativeCacheSize) { this.negativeCacheSize = negativeCacheSize; }
        public Duration getNegativeCacheTtl() { return negativeCacheTtl; }
        public void setNegativeCacheTtl(Duration negativeCacheTtl) { this.negativeCacheTtl = negativeCacheTtl; }
        public Duration getSyncInterval() { return syncInterval; }
        public void setSyncInterval(Duration syncInterval) { this.syncInterval = syncInterval; }
        public Duration getStaleBound() { return staleBound; }
        public void setStaleBound(Duration staleBound) { this.staleBound = staleBound; }
        public boolean isAcceptImportedKeys() { return acceptImportedKeys; }
        public void setAcceptImportedKeys(boolean acceptImportedKeys) { this.acceptImportedKeys = acceptImportedKeys; }
        public Environment getEnvironment() { return environment; }
        public void setEnvironment(Environment environment) { this.environment = environment; }
    }

    /** The admin API (docs/contract.md §5) and its first key. */
    public static class Admin {
        /** Where the admin API is served; "off" turns it off. */
        private String path = "/admin/v1";

        /**
         * A key in the key format imported at start with keys:admin, unless a key with its digest exists already.
         * Keep it out of files under version control (an environment variable: KEYS_ADMIN_BOOTSTRAP_KEY).
         */
        private String bootstrapKey = "";

        /**
         * Without a bootstrap key and with no usable admin key in the store, create one at start and log it once
         * at WARN (the only time keys ever logs a key).
         */
        private boolean createKey = true;

        /** The realm of the admin API's WWW-Authenticate. */
        private String realm = "admin";

        /** Larger request bodies answer 413. */
        private int maxBodyBytes = 64 * 1024;

        public String getPath() { return path; }
        public void setPath(String path) { this.path = path; }
        public String getBootstrapKey() { return bootstrapKey; }
        public void setBootstrapKey(String bootstrapKey) { this.bootstrapKey = bootstrapKey == null ? "" : bootstrapKey.strip(); }
        public boolean isCreateKey() { return createKey; }
        public void setCreateKey(boolean createKey) { this.createKey = createKey; }
        public String getRealm() { return realm; }
        public void setRealm(String realm) { this.realm = realm; }
        public int getMaxBodyBytes() { return maxBodyBytes; }
        public void setMaxBodyBytes(int maxBodyBytes) { this.maxBodyBytes = maxBodyBytes; }

        /** Whether the admin API is served. */
        public boolean enabled() {
            return !OFF.equalsIgnoreCase(path.strip());
        }
    }

    /** The JDBC store, used when the application has a DataSource bean. */
    public static class Jdbc {
        /** Create and upgrade keys' tables at start. Off: migrate at deployment (Flyway, Liquibase, JdbcSchema). */
        private boolean migrate = true;

        /** Query timeout of every statement (whole seconds). */
        private Duration queryTimeout = Duration.ofSeconds(2);

        public boolean isMigrate() { return migrate; }
        public void setMigrate(boolean migrate) { this.migrate = migrate; }
        public Duration getQueryTimeout() { return queryTimeout; }
        public void setQueryTimeout(Duration queryTimeout) { this.queryTimeout = queryTimeout; }
    }

    /** A tier: rate limits by name, and a quota. */
    public static class Tier {
        /** Bandwidths by name, e.g. keys.tiers.free.ratelimits.burst.limit=5 and ...burst.duration=1s. */
        private Map<String, Bandwidth> ratelimits = new LinkedHashMap<>();

        /** Admitted requests per calendar period. */
        private TierQuota quota = new TierQuota();

        public Map<String, Bandwidth> getRatelimits() { return ratelimits; }
        public void setRatelimits(Map<String, Bandwidth> ratelimits) { this.ratelimits = ratelimits; }
        public TierQuota getQuota() { return quota; }
        public void setQuota(TierQuota quota) { this.quota = quota; }
    }

    /** One token bucket: limit tokens refilled over duration, holding at most burst (0: limit). */
    public static class Bandwidth {
        /** Tokens per duration. */
        private long limit;

        /** The refill period. */
        private Duration duration = Duration.ofSeconds(1);

        /** Bucket capacity; 0 means the limit. */
        private long burst;

        public long getLimit() { return limit; }
        public void setLimit(long limit) { this.limit = limit; }
        public Duration getDuration() { return duration; }
        public void setDuration(Duration duration) { this.duration = duration; }
        public long getBurst() { return burst; }
        public void setBurst(long burst) { this.burst = burst; }
    }

    /** A tier's quota; a limit of 0 means none. */
    public static class TierQuota {
        /** Admitted requests per period; 0: no quota. */
        private long limit;

        /** The calendar period. */
        private QuotaPeriod period = QuotaPeriod.DAY;

        public long getLimit() { return limit; }
        public void setLimit(long limit) { this.limit = limit; }
        public QuotaPeriod getPeriod() { return period; }
        public void setPeriod(QuotaPeriod period) { this.period = period; }
    }

    /** A tenant's settings. */
    public static class Tenant {
        /** What a keys:manage caller of this tenant may grant. */
        private Ceiling ceiling = new Ceiling();

        public Ceiling getCeiling() { return ceiling; }
        public void setCeiling(Ceiling ceiling) { this.ceiling = ceiling; }
    }

    /** Permissions (wildcards only where given) and roles a tenant's managers may grant. */
    public static class Ceiling {
        /** Permissions, e.g. documents:*. */
        private List<String> permissions = new ArrayList<>();

        /** Role names. */
        private List<String> roles = new ArrayList<>();

        public List<String> getPermissions() { return permissions; }
        public void setPermissions(List<String> permissions) { this.permissions = permissions; }
        public List<String> getRoles() { return roles; }
        public void setRoles(List<String> roles) { this.roles = roles; }
    }
}
