package dev.keys.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keys.api.ClientStore;
import dev.keys.api.Clock;
import dev.keys.api.OAuthClient;
import dev.keys.api.Quota;
import dev.keys.api.QuotaPeriod;
import dev.keys.api.RateLimit;
import dev.keys.api.UsageSink;
import dev.keys.core.Keys;
import dev.keys.core.authz.Roles;
import dev.keys.core.authz.RouteTable;
import dev.keys.core.hash.KeyHasher;
import dev.keys.jwt.JwtVerifier;
import dev.keys.core.lifecycle.AdminBootstrap;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.lifecycle.ClientManager;
import dev.keys.core.ops.AlertingUsageSink;
import dev.keys.core.ops.WebhookAlertSink;
import dev.keys.jwt.oauth.TokenService;
import dev.keys.core.limit.Tiers;
import dev.keys.jdbc.JdbcStores;
import dev.keys.jdbc.JdbcUsageLog;
import dev.keys.redis.RedisLimits;
import dev.keys.servlet.ApiKeyFilter;
import dev.keys.jwt.servlet.AuthorizationServerMetadataServlet;
import dev.keys.jwt.servlet.JwksServlet;
import dev.keys.servlet.GitHubSecretScanningServlet;
import dev.keys.servlet.Dashboard;
import dev.keys.servlet.KeyAdminServlet;
import dev.keys.jwt.servlet.TokenEndpointServlet;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.ServletMapping;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ConditionalHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The library as a user would adopt it: embedded Jetty 12, the key filter in front of a demo API, the admin API,
 * two tiers, and everything durable in one database (an H2 file by default, PostgreSQL when
 * {@code KEYS_JDBC_URL} is set). Read {@link #start} from top to bottom: it is the whole wiring.
 *
 * <pre>
 * GET  /hello                 open
 * GET  /api/hello             hello:read
 * GET  /api/documents[/{id}]  documents:read
 * POST /api/documents         documents:write
 * *    /admin/v1/...          keys:admin, keys:manage, keys:read, keys:verify or keys:self (docs/servlet.md), clients under /admin/v1/clients
 * GET  /admin/v1/ui/          the dashboard: sign in with an admin, manage, read or self key (docs/dashboard.md)
 * POST /oauth/token           client credentials (RFC 6749 §4.4): a JWT that /api/* accepts as it accepts keys
 * GET  /.well-known/jwks.json the public signing keys
 * GET  /.well-known/oauth-authorization-server  RFC 8414 metadata, for clients' discovery
 * TRACE on any path           405, refused by Jetty before any servlet (it would echo the headers, keys included)
 * </pre>
 *
 * <p>It listens on {@code HOST} (default 127.0.0.1 only: it prints an admin key), keeps its files owner-only
 * ({@link DataDir}), and hashes keys with the root secret's pepper ({@link KeyHashing}).
 */
public final class ExampleService implements AutoCloseable {
    /** Roles a key may name instead of listing permissions. */
    static final Roles ROLES = Roles.builder()
            .role("reader", Set.of("hello:read", "documents:read"))
            .role("writer", Set.of("hello:read", "documents:read", "documents:write"))
            .build();

    /** The tiers a key may name ({@code "tier":"free"} in the admin API); a key's own ratelimits replace its tier's. */
    static final Tiers TIERS = Tiers.builder()
            .tier("free", List.of(new RateLimit("burst", 5, Duration.ofSeconds(1)), new RateLimit("sustained", 100, Duration.ofMinutes(1))),
                    Optional.of(new Quota(1_000, QuotaPeriod.DAY)))
            .tier("pro", List.of(new RateLimit("burst", 50, Duration.ofSeconds(1)), new RateLimit("sustained", 5_000, Duration.ofMinutes(1))),
                    Optional.empty())
            .build();

    /** What each request under {@code /api/*} needs; anything else there is denied (403 after authentication). */
    static final RouteTable ROUTES = RouteTable.parse("""
            GET  /api/hello           -> hello:read
            GET  /api/documents       -> documents:read
            GET  /api/documents/{id}  -> documents:read
            POST /api/documents       -> documents:write
            """);

    /**
     * What a tenant's {@code keys:manage} callers may grant (docs/contract.md §5). A tenant without a ceiling of its
     * own, such as {@code default}, may grant the roles above and the permissions the routes name; the demo tenant
     * {@code acme} may grant only reading.
     */
    static final AdminPolicy ADMIN_POLICY = AdminPolicy.builder(ROLES).routes(ROUTES)
            .ceiling("acme", Set.of("hello:read", "documents:read"), Set.of("reader"))
            .build();

    /** {@code aud} of the tokens this service issues and accepts; their {@code iss} is {@link Settings#issuerFor}. */
    static final String AUDIENCE = "keys-example/api";
    static final Duration TOKEN_LIFETIME = Duration.ofMinutes(15), MAX_TOKEN_LIFETIME = Duration.ofHours(1);

    // Held, so that the levels set in quietLogging() are not lost when the loggers are collected.
    private static final List<Logger> QUIET = new ArrayList<>();

    private final Settings settings;
    private final HikariDataSource dataSource;
    private final JdbcStores stores;
    private final Keys keys;
    private final Server server;
    private final String oauth;
    private final String issuer;
    private final KeyHashing.Chosen hashing;
    private final Optional<RedisLimits> redis;
    private final Optional<AlertingUsageSink> alerts;
    private final Optional<WebhookAlertSink> webhook;
    private boolean closed;

    private ExampleService(Settings settings, HikariDataSource dataSource, JdbcStores stores, Keys keys, Server server,
                           String oauth, String issuer, KeyHashing.Chosen hashing, Optional<RedisLimits> redis,
                           Optional<AlertingUsageSink> alerts, Optional<WebhookAlertSink> webhook) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.stores = stores;
        this.keys = keys;
        this.server = server;
        this.oauth = oauth;
        this.issuer = issuer;
        this.hashing = hashing;
        this.redis = redis;
        this.alerts = alerts;
        this.webhook = webhook;
    }

    public static void main(String[] args) {
        quietLogging();
        ExampleService service;
        try {
            service = start(Settings.fromEnvironment(System.getenv()), System.out);
        } catch (Exception e) {
            System.err.println("keys example: cannot start: " + describe(e));
            System.exit(1);
            return;
        }
        // SIGTERM and Ctrl-C: stop taking requests, finish those in flight, write the usage counts still in memory.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            System.out.println("keys example: stopped");
        }, "keys-example-shutdown"));
        service.join();
    }

    /** Starts the service; {@code out} gets the start-up message (and the admin key, the one time it is created). */
    static ExampleService start(Settings settings, PrintStream out) throws Exception {
        if (settings.jdbcUrl().isEmpty() || settings.rootSecret().isEmpty()) DataDir.prepare(settings.dataDir());
        HikariDataSource ds = dataSource(settings);
        JdbcStores stores = null;
        Keys keys = null;
        Server server = null;
        Optional<RedisLimits> redis = Optional.empty();
        Optional<WebhookAlertSink> webhook = Optional.empty();
        Optional<AlertingUsageSink> alerts = Optional.empty();
        try {
            stores = JdbcStores.builder(ds).migrate(true).build();
            JdbcUsageLog usage = stores.usageLog();             // counts per key, minute and outcome; written every second
            // The root secret seals the OAuth signing keys and derives the pepper keys are hashed with, so that the
            // database alone can neither sign tokens nor test guessed keys.
            RootSecret.Loaded root = RootSecret.load(settings.rootSecret(), settings.dataDir());
            KeyHashing.Chosen hashing = KeyHashing.of(ds, root.secret());
            KeyHasher hasher = hashing.hasher();
            // With KEYS_REDIS_URL the buckets live in Redis, so that all instances together admit a key's limit.
            redis = settings.redisUrl().map(u -> RedisLimits.builder(u).keyPrefix(settings.redisPrefix()).timeout(settings.redisTimeout())
                    .mode(settings.redisMode()).build());
            // With KEYS_ALERT_WEBHOOK_URL: remaining uses running low, a quota period mostly used, a key about to
            // expire, each sent once by one instance of the fleet (docs/operations.md, "Early alerts").
            webhook = settings.alerts().map(AlertSettings::webhook);
            if (settings.alerts().isPresent()) alerts = Optional.of(settings.alerts().get().sink(usage, stores, Clock.system(), webhook.get()));
            UsageSink usageSink = alerts.isPresent() ? alerts.get() : usage;
            Keys.Builder kb = Keys.builder();
            redis.ifPresent(kb::limiters);
            keys = kb
                    .store(stores.keyStore())
                    .hasher(hasher)
                    .audit(stores.auditLog())
                    .usageCounters(stores.usageCounters())      // quotas count in the database, shared by all instances
                    .roles(ROLES)
                    .tiers(TIERS)
                    .verifier(v -> v.usageSink(usageSink).staleBound(settings.staleBound()))
                    .build();
            // The first admin key: KEYS_ADMIN_KEY imported once, or, with none and no usable admin key, one created.
            AdminBootstrap.Result admin = AdminBootstrap.builder(keys.manager(), keys.store()).hasher(hasher).clock(keys.clock())
                    .name("example admin").source("KEYS_ADMIN_KEY").build().ensure(settings.adminKey());

            // Bound first, so that the issuer derived from the port is known before the token service is made.
            server = new Server();
            HttpConfiguration http = new HttpConfiguration();
            http.setSendServerVersion(false);
            ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
            connector.setHost(settings.host());
            connector.setPort(settings.port());
            server.addConnector(connector);
            connector.open();
            String issuer = settings.issuerFor(connector.getLocalPort());

            // OAuth 2.0 client credentials: the signing keys live in the database, sealed under the root secret, so
            // that a restart (or another instance) keeps accepting the tokens already issued.
            SealedKeyring.Loaded keyring = SealedKeyring.loadOrCreate(ds, root.secret(), MAX_TOKEN_LIFETIME, keys.clock());
            ClientStore clientStore = stores.clientStore();
            JwtVerifier.Builder jb = JwtVerifier.builderForIssuer(keyring.keys(), issuer, AUDIENCE);
            redis.ifPresent(jb::limiters);                      // a client's tokens share its buckets fleet-wide too
            JwtVerifier jwt = jb
                    .roles(ROLES)
                    .clock(keys.clock())
                    .clients(clientStore)                       // a revoked or disabled client's tokens: 401 within 1 s
                    .clientsStaleBound(settings.staleBound())
                    .limits(id -> clientStore.findById(id).map(OAuthClient::ratelimits).orElse(List.of())) // shared by its tokens
                    .build();
            // Through the verifier's store, so that a revoke or disable made here holds from the next request.
            ClientManager clients = ClientManager.builder(jwt.clientStore()).hasher(hasher).clock(keys.clock())
                    .audit(stores.auditLog()).build();                 // client changes go to the same audit log as keys
            TokenService tokens = TokenService.builder(clients, keyring.keys()).issuer(issuer).audience(AUDIENCE)
                    .roles(ROLES).lifetime(TOKEN_LIFETIME).clock(keys.clock()).build();
            AuthorizationServerMetadataServlet metadata = AuthorizationServerMetadataServlet.builder(issuer)
                    .scopes(ROLES.flatten(ROLES.names(), Set.of()).granted()).build();

            ApiKeyFilter filter = ApiKeyFilter.builder(keys.verifier()).routes(ROUTES).jwt(jwt).realm("example")
                    .opaque(settings.opaque()).build();
            KeyAdminServlet adminApi = KeyAdminServlet.builder(keys).policy(ADMIN_POLICY).auditLog(stores.auditLog()).usageLog(usage)
                    .clients(clients).opaque(settings.opaque())               // the filter's setting: one answer for both
                    .dashboard(Dashboard.defaults())                          // the page at /admin/v1/ui/ (docs/dashboard.md)
                    .build();

            ServletContextHandler context = new ServletContextHandler("/");
            ServletHolder hello = new ServletHolder("hello", new HelloServlet());
            context.getServletHandler().addServlet(hello);
            ServletMapping helloPaths = new ServletMapping();
            helloPaths.setServletName("hello");
            helloPaths.setPathSpecs(new String[] {"/hello", "/api/hello"});
            context.getServletHandler().addServletMapping(helloPaths);
            context.addServlet(new ServletHolder("documents", new DocumentsServlet()), "/api/documents/*");
            context.addServlet(new ServletHolder("admin", adminApi), "/admin/v1/*");
            context.addServlet(new ServletHolder("token", TokenEndpointServlet.builder(tokens).build()), "/oauth/token");
            context.addServlet(new ServletHolder("jwks", JwksServlet.of(keyring.keys())), "/.well-known/jwks.json");
            context.addServlet(new ServletHolder("oauth-metadata", metadata), metadata.path());
            String scanningKeys = System.getenv("KEYS_SECRET_SCANNING_KEYS");   // GitHub's key list (docs/contract.md §8)
            if (scanningKeys != null && !scanningKeys.isBlank()) context.addServlet(new ServletHolder("secret-scanning",
                    GitHubSecretScanningServlet.builder(keys).publicKeysFile(java.nio.file.Path.of(scanningKeys.strip())).hasher(hasher).build()),
                    "/secret-scanning/github");
            context.addFilter(new FilterHolder(filter), "/api/*", EnumSet.of(DispatcherType.REQUEST));
            if (settings.benchFloor()) {                                       // the HTTP benchmark's floor, nothing else
                ServletMapping floor = new ServletMapping();
                floor.setServletName("hello");
                floor.setPathSpecs(new String[] {"/floor/hello", "/floor-verify/hello"});
                context.getServletHandler().addServletMapping(floor);
                context.addFilter(new FilterHolder(new FloorFilter(null)), "/floor/*", EnumSet.of(DispatcherType.REQUEST));
                context.addFilter(new FilterHolder(new FloorFilter(keys.verifier())), "/floor-verify/*", EnumSet.of(DispatcherType.REQUEST));
            }

            // TRACE on every path, mapped or not, before any servlet: HttpServlet.doTrace (and the default servlet
            // behind unmapped paths) would echo the request headers, keys included (docs/contract.md §3).
            ConditionalHandler.Reject noTrace = new ConditionalHandler.Reject(context, 405);
            noTrace.includeMethod("TRACE");
            server.setHandler(new GracefulHandler(noTrace));   // on stop, requests in flight finish first
            server.setStopTimeout(5_000);
            server.setStopAtShutdown(false);                   // our hook stops it, then flushes: order matters
            server.start();
            if (settings.jdbcUrl().isEmpty()) DataDir.narrowDatabaseFiles(settings.dataDir(), Settings.H2_NAME);

            String oauth = (keyring.generated() ? "ES256 signing key generated, sealed under " : "ES256 signing keys sealed under ")
                    + root.source();
            ExampleService service = new ExampleService(settings, ds, stores, keys, server, oauth, issuer, hashing, redis, alerts, webhook);
            // Handed over, not kept: a created key's plaintext lives no longer than this message.
            service.printStart(out, admin);
            return service;
        } catch (Exception | Error e) {
            if (server != null) {
                server.stop();
                for (var c : server.getConnectors()) if (c instanceof ServerConnector sc) sc.close(); // opened before start
            }
            if (keys != null) keys.close();
            alerts.ifPresent(AlertingUsageSink::close);
            webhook.ifPresent(WebhookAlertSink::close);
            redis.ifPresent(RedisLimits::close);
            if (stores != null) stores.close();
            ds.close();
            throw e;
        }
    }

    private static HikariDataSource dataSource(Settings s) throws Exception {
        HikariConfig cfg = new HikariConfig();
        cfg.setPoolName("keys-example");
        if (s.jdbcUrl().isPresent()) {
            cfg.setJdbcUrl(s.jdbcUrl().get());
            s.jdbcUser().ifPresent(cfg::setUsername);
            s.jdbcPassword().ifPresent(cfg::setPassword);
        } else {
            // DB_CLOSE_ON_EXIT=FALSE: H2's own shutdown hook would close the database before ours writes the usage
            // counts still in memory.
            cfg.setJdbcUrl("jdbc:h2:file:" + s.h2File() + ";DB_CLOSE_ON_EXIT=FALSE");
            cfg.setUsername("sa");
        }
        cfg.setMaximumPoolSize(10);
        cfg.setConnectionTimeout(1_000);      // an exhausted pool answers 503 after 1 s, not 30 s
        return new HikariDataSource(cfg);
    }

    private void printStart(PrintStream out, AdminBootstrap.Result admin) {
        String base = "http://" + settings.urlHost() + ":" + port();
        out.println("keys example listening on " + base);
        out.println("  interface: " + settings.host() + (isLoopback(settings.host()) ? " only (HOST=0.0.0.0 listens on every interface)" : ""));
        out.println("  database:  " + settings.databaseDescription());
        out.println("  hashing:   " + hashing.description());
        out.println("  limits:    " + settings.limitsDescription());
        out.println("  alerts:    " + settings.alerts().map(a -> "to " + a.url().getScheme() + "://" + a.url().getHost() + (a.url().getPort() < 0 ? "" : ":" + a.url().getPort()) + "/... (signed)")
                .orElse("off (set KEYS_ALERT_WEBHOOK_URL and KEYS_ALERT_WEBHOOK_SECRET)"));
        out.println("  demo API:  GET " + base + "/hello (open), GET /api/hello, GET|POST /api/documents (need a key)");
        out.println("  admin API: " + base + "/admin/v1 (needs a key with keys:admin)");
        out.println("  dashboard: " + base + "/admin/v1/ui/ (sign in with the admin key)");
        out.println("  OAuth:     POST " + base + "/oauth/token, GET /.well-known/jwks.json (" + oauth + ")");
        out.println("  issuer:    " + issuer + " (metadata at /.well-known/oauth-authorization-server)");
        if (admin instanceof AdminBootstrap.Created c) {
            out.println("  admin key (" + c.keyId() + "), shown this once, keep it:");
            out.println("    " + c.plaintext());
        } else if (admin instanceof AdminBootstrap.Imported) {
            out.println("  admin key: KEYS_ADMIN_KEY, imported as " + admin.keyId());
        } else if (admin instanceof AdminBootstrap.Known) {
            out.println("  admin key: KEYS_ADMIN_KEY (" + admin.keyId() + ")");
        } else {
            out.println("  admin key: " + admin.keyId() + ", shown at first start; lost it? start with"
                    + " KEYS_ADMIN_KEY set to a new key (docs/example.md)");
        }
        out.println("  try:       curl " + base + "/admin/v1/keys -H 'Authorization: Bearer <admin key>'");
        out.flush();
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }

    /** The {@code iss} of the tokens this service issues. */
    String issuer() {
        return issuer;
    }

    ServerConnector connector() {
        return (ServerConnector) server.getConnectors()[0];
    }

    int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    Keys keys() {
        return keys;
    }

    /** The early alerts, when {@code KEYS_ALERT_WEBHOOK_URL} is set. */
    Optional<AlertingUsageSink> alerts() {
        return alerts;
    }

    void join() {
        try {
            server.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops taking requests, lets those in flight finish, then writes the usage counts and closes the database. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            server.stop();
        } catch (Exception e) {
            System.err.println("keys example: stopping Jetty: " + describe(e));
        }
        keys.close();
        alerts.ifPresent(AlertingUsageSink::close);   // evaluates what is queued, gives the checks' lease up
        webhook.ifPresent(WebhookAlertSink::close);   // sends what is queued, within its timeouts
        redis.ifPresent(RedisLimits::close);  // after the verifier: gives back what LOCAL_FIRST leases hold
        stores.close();                       // flushes the usage log
        dataSource.close();                   // H2 closes the file with its last connection
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) sb.append(": ").append(c.getMessage());
        }
        return sb.toString();
    }

    private static void quietLogging() {
        for (String name : List.of("org.eclipse.jetty", "com.zaxxer.hikari")) {
            Logger l = Logger.getLogger(name);
            l.setLevel(Level.WARNING);
            QUIET.add(l);
        }
    }
}
