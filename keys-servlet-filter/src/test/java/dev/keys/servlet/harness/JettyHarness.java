package dev.keys.servlet.harness;

import dev.keys.servlet.ApiKeyFilter;
import dev.keys.servlet.KeyAdminServlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStore;
import dev.keys.api.Page;
import dev.keys.api.RoleStore;
import dev.keys.api.StoreException;
import dev.keys.api.UsageSink;
import dev.keys.core.Keys;
import dev.keys.test.ManualClock;
import dev.keys.core.authz.Roles;
import dev.keys.core.limit.Tiers;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryAuditLog;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.core.store.InMemoryUsageLog;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.FilterMapping;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.TreeSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A real Jetty 12 on a random port, with {@code Keys} on a manual clock, and a JDK HTTP client. Every response and
 * every log line (JUL, which backs System.Logger, and System.out/err) is kept, so that a test class can check at the
 * end that no plaintext key it ever saw appeared anywhere but in the answer that issued it.
 */
public final class JettyHarness implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    /** Held: JUL keeps loggers weakly, and a collected {@code dev.keys} logger loses the level set on it (DEBUG denials unseen). */
    private static final Logger KEYS_LOGGER = Logger.getLogger("dev.keys");

    /** A response as received. */
    public record Exchange(String method, String uri, int status, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }

        public List<String> headers(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(Map.Entry::getValue).orElse(List.of());
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    /** A store that can be switched off as a real outage would. */
    public static final class SwitchableStore implements KeyStore {
        public final KeyStore delegate = new InMemoryKeyStore();
        public final AtomicBoolean down = new AtomicBoolean();

        private void check() {
            if (down.get()) throw new StoreException.Unavailable("connection refused (test)", null);
        }

        @Override public Optional<ApiKey> findByDigest(Digest d) { check(); return delegate.findByDigest(d); }
        @Override public Optional<ApiKey> findById(String id) { check(); return delegate.findById(id); }
        @Override public ApiKey create(ApiKey k) { check(); return delegate.create(k); }
        @Override public ApiKey update(ApiKey k) { check(); return delegate.update(k); }
        @Override public boolean delete(String id) { check(); return delegate.delete(id); }
        @Override public Page<ApiKey> list(KeyQuery q) { check(); return delegate.list(q); }
        @Override public List<KeyChange> changesSince(long s, int l) { check(); return delegate.changesSince(s, l); }
        @Override public long lastSequence() { check(); return delegate.lastSequence(); }
        @Override public Optional<RoleStore> roles() { return delegate.roles(); }
    }

    public final ManualClock clock = new ManualClock(T0);
    public final SwitchableStore store = new SwitchableStore();
    public final InMemoryAuditLog audit = new InMemoryAuditLog();
    public final InMemoryUsageLog usage = new InMemoryUsageLog(10_000, 10_000, Duration.ofDays(7), Duration.ZERO);
    public final Keys keys;
    public final Server server = new Server();
    public final ServletContextHandler context = new ServletContextHandler("/");
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    public final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    public int port;

    public final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());
    /**
     * Where the servlets the OpenAPI document describes are mounted, filled by {@link #servlet}: every answer from
     * them is checked against the document ({@link OpenApiContract}) as it is received.
     */
    public final OpenApiContract.Mounts contract = new OpenApiContract.Mounts();
    /** Plaintext to the exchange that issued it (null when issued in code). */
    public final Map<String, Exchange> issued = new ConcurrentHashMap<>();
    public final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    private final Handler logHandler;
    private final PrintStream originalOut = System.out, originalErr = System.err;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    public JettyHarness(Roles roles, Tiers tiers) {
        this(roles, tiers, h -> h.usage);
    }

    /**
     * With the verifier's usage sink made by {@code usageSink} (an {@code AlertingUsageSink} around {@link #usage},
     * say), which is given this harness before its {@code keys} exist: its clock, store and usage log are there.
     */
    public JettyHarness(Roles roles, Tiers tiers, Function<JettyHarness, UsageSink> usageSink) {
        UsageSink sink = usageSink.apply(this);
        keys = Keys.builder().store(store).clock(clock).audit(audit).roles(roles).tiers(tiers)
                .verifier(v -> v.syncInterval(Duration.ZERO).usageSink(sink)).build();
        SimpleFormatter f = new SimpleFormatter();
        logHandler = new Handler() {
            @Override public void publish(LogRecord r) { logLines.add(f.format(r)); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        logHandler.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(logHandler);
        KEYS_LOGGER.setLevel(Level.ALL);
        System.setOut(new PrintStream(tee(originalOut), true));
        System.setErr(new PrintStream(tee(originalErr), true));
    }

    public JettyHarness(Roles roles) {
        this(roles, Tiers.NONE);
    }

    public JettyHarness() {
        this(Roles.EMPTY, Tiers.NONE);
    }

    private OutputStream tee(PrintStream original) {
        return new OutputStream() {
            @Override public void write(int b) {
                synchronized (console) { console.write(b); }
                original.write(b);
            }

            @Override public void write(byte[] b, int off, int len) {
                synchronized (console) { console.write(b, off, len); }
                original.write(b, off, len);
            }
        };
    }

    public JettyHarness filter(String pathSpec, Filter filter) {
        context.addFilter(new FilterHolder(filter), pathSpec, EnumSet.of(DispatcherType.REQUEST));
        return this;
    }

    public JettyHarness servlet(String pathSpec, HttpServlet servlet) {
        context.addServlet(new ServletHolder(servlet), pathSpec);
        if (servlet instanceof KeyAdminServlet) contract.admin(pathSpec.replaceAll("/\\*$", ""));
        String described = DESCRIBED.get(servlet.getClass().getName());
        if (described != null) contract.endpoint(pathSpec, described);
        return this;
    }

    /** The servlets outside the admin API that the document describes (some in modules this one cannot see), by path. */
    private static final Map<String, String> DESCRIBED = Map.of(
            "dev.keys.jwt.servlet.TokenEndpointServlet", "/oauth/token",
            "dev.keys.jwt.servlet.JwksServlet", "/.well-known/jwks.json",
            "dev.keys.jwt.servlet.AuthorizationServerMetadataServlet", "/.well-known/oauth-authorization-server",
            "dev.keys.servlet.GitHubSecretScanningServlet", "/secret-scanning/github");

    public JettyHarness start() throws Exception {
        // First of all filters: counts requests still inside the chain. The filter answers before it logs a denial,
        // so a client can hold its answer while the log line is still being written; the leak check waits for them.
        FilterHolder counting = new FilterHolder((Filter) (req, res, chain) -> {
            inFlight.incrementAndGet();
            try {
                chain.doFilter(req, res);
            } finally {
                inFlight.decrementAndGet();
            }
        });
        counting.setName("harness-in-flight");
        FilterMapping everything = new FilterMapping();
        everything.setFilterName("harness-in-flight");
        everything.setPathSpec("/*");
        everything.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST));
        context.getServletHandler().prependFilter(counting);
        context.getServletHandler().prependFilterMapping(everything);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(context);
        server.start();
        port = connector.getLocalPort();
        return this;
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    public HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
    }

    public Exchange send(HttpRequest request) {
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            Exchange e = new Exchange(request.method(), request.uri().toString(), r.statusCode(), r.headers().map(), r.body());
            exchanges.add(e);
            OpenApiContract.get().check(contract, r);
            if (e.status() == 201 && e.body().contains("\"key\"")) {
                JsonNode key = e.json().get("key");
                if (key != null && key.isTextual()) issued.put(key.asText(), e);
            }
            // Client secrets (shown once by POST /clients) and access tokens (only in the token endpoint's answer).
            for (String field : List.of("clientSecret", "access_token")) {
                if ((e.status() == 201 || e.status() == 200) && e.body().contains("\"" + field + "\"")) {
                    JsonNode v = e.json().get(field);
                    if (v != null && v.isTextual()) issued.put(v.asText(), e);
                }
            }
            return e;
        } catch (IOException | InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }

    public Exchange get(String path, String... headers) {
        return send(request(path).headers(headers.length == 0 ? new String[] {"Accept", "*/*"} : headers).GET().build());
    }

    public Exchange json(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = request(path).header("Content-Type", "application/json");
        if (headers.length > 0) b.headers(headers);
        return send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Issues a key in code and remembers its plaintext for the leak check. */
    public IssuedKey issue(NewKey.Builder request) {
        IssuedKey k = keys.manager().create(request.build(), KeyManager.SYSTEM);
        issued.put(k.plaintext(), new Exchange("", "", 0, Map.of(), ""));
        return k;
    }

    public static String bearer(String key) {
        return "Bearer " + key;
    }

    /** No plaintext seen in this run appears in any response but the one that issued it, nor in any log line. */
    public void assertNoLeaks() {
        assertFalse(issued.isEmpty(), "the leak check saw no keys at all");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        assertEquals(0, inFlight.get(), "requests still inside the server after 10 s");
        String out;
        synchronized (console) {
            out = console.toString(StandardCharsets.UTF_8);
        }
        List<String> logs = new ArrayList<>(logLines);
        assertTrue(logs.stream().anyMatch(l -> l.contains("keys: denied")), "the log capture saw no denial lines");
        for (Map.Entry<String, Exchange> k : issued.entrySet()) {
            String plaintext = k.getKey();
            String secretPart = plaintext.substring(plaintext.length() - 38, plaintext.length() - 10);
            synchronized (exchanges) {
                for (Exchange e : exchanges) {
                    if (e == k.getValue()) continue;
                    String all = e.headers() + "\n" + e.body();
                    assertFalse(all.contains(plaintext) || all.contains(secretPart),
                            "a response leaked a key: " + e.method() + " " + e.uri() + " -> " + e.status());
                }
            }
            for (String line : logs) assertFalse(line.contains(secretPart), "a log line leaked a key: " + line);
            assertFalse(out.contains(secretPart), "the console leaked a key");
        }
    }

    /** The end of a test class: no key leaked into any answer or log line, then the server stops either way. */
    public void closeAfterLeakCheck() throws Exception {
        try {
            assertNoLeaks();
        } finally {
            close();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } finally {
            Logger.getLogger("").removeHandler(logHandler);
            System.setOut(originalOut);
            System.setErr(originalErr);
            keys.close();
            usage.close();
        }
    }

    /** Says who the application sees: principal, roles, the verification attribute and the credential headers. */
    public static final class EchoServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
            Object v = req.getAttribute(ApiKeyFilter.VERIFICATION_ATTRIBUTE);
            String body = "{\"principal\":" + (req.getUserPrincipal() == null ? "null" : "\"" + req.getUserPrincipal().getName() + "\"")
                    + ",\"principalClass\":\"" + (req.getUserPrincipal() == null ? "" : req.getUserPrincipal().getClass().getSimpleName()) + "\""
                    + ",\"reader\":" + req.isUserInRole("reader")
                    + ",\"writer\":" + req.isUserInRole("writer")
                    + ",\"authType\":\"" + req.getAuthType() + "\""
                    + ",\"verification\":\"" + (v == null ? "" : v.getClass().getName()) + "\""
                    + ",\"authorization\":" + (req.getHeader("Authorization") != null)
                    + ",\"apiKeyHeader\":" + (req.getHeader("X-API-Key") != null)
                    + ",\"headerNames\":" + Collections.list(req.getHeaderNames()).stream().anyMatch(n -> n.equalsIgnoreCase("X-API-Key"))
                    + ",\"queryKey\":" + (req.getParameter("api_key") != null || (req.getQueryString() != null && req.getQueryString().contains("api_key")))
                    + ",\"otherParam\":\"" + req.getParameter("q") + "\"}";
            res.setContentType("application/json");
            res.getWriter().write(body);
        }
    }

    /** Checks the problem+json answer field by field and returns it. */
    public static JsonNode problem(Exchange e, int status, String code, String title) {
        assertEquals(status, e.status(), e.body());
        assertEquals("application/problem+json", e.header("Content-Type"));
        assertEquals("no-store", e.header("Cache-Control"));
        JsonNode b = e.json();
        Set<String> members = new TreeSet<>(List.of("type", "title", "status", "detail", "code", "requestId"));
        // docs/contract.md §3: a 400 for a bad body lists the invalid fields, the first of them named by detail.
        if (b.has("errors")) {
            assertEquals(400, status);
            assertTrue(b.get("errors").size() > 0);
            assertTrue(b.get("detail").asText().startsWith(b.get("errors").get(0).get("field").asText() + ": "), b.toString());
            members.add("errors");
        }
        assertEquals(members, fieldNames(b));
        assertEquals(b.get("requestId").asText(), e.header("X-Request-Id"));
        assertEquals("https://keys.dev/problems/" + code.toLowerCase().replace('_', '-'), b.get("type").asText());
        assertEquals(title, b.get("title").asText());
        assertEquals(status, b.get("status").asInt());
        assertEquals(code, b.get("code").asText());
        assertTrue(b.get("requestId").asText().matches("[A-Za-z0-9._-]{1,64}"), b.get("requestId").asText());
        assertEquals(b.get("requestId").asText(), e.header("X-Request-Id"));
        assertFalse(b.get("detail").asText().isBlank());
        assertFalse(e.body().contains("Exception"), e.body());
        assertFalse(e.body().contains("\tat "), e.body());
        assertNull(e.header("RateLimit-Limit"));
        assertNull(e.header("RateLimit-Remaining"));
        assertNull(e.header("RateLimit-Reset"));
        return b;
    }

    public static Set<String> fieldNames(JsonNode b) {
        Set<String> names = new TreeSet<>();
        b.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
