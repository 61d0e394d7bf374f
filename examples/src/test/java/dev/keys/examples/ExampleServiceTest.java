package dev.keys.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keys.core.Keys;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.lifecycle.AdminBootstrap;
import dev.keys.core.lifecycle.ClientManager;
import dev.keys.core.lifecycle.IssuedClient;
import dev.keys.core.lifecycle.NewClient;
import dev.keys.jdbc.JdbcStores;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import dev.keys.servlet.harness.OpenApiContract;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example as its users drive it: started on a free port over a temporary H2 file, called over HTTP. */
class ExampleServiceTest {
    private static final Pattern CREATED_ADMIN_KEY = Pattern.compile("shown this once, keep it:\\R\\s+(\\S+)");
    private final ObjectMapper json = new ObjectMapper();
    /** Every answer checked against the OpenAPI document as it is received. */
    private final HttpClient http = OpenApiContract.checking(HttpClient.newHttpClient(), OpenApiContract.Mounts.example());
    private final List<ExampleService> running = new ArrayList<>();
    @TempDir Path dir;
    private String output;
    private String base;

    @AfterEach
    void stop() {
        running.forEach(ExampleService::close);
    }

    @Test
    void keyLifecycleOverHttp() throws Exception {
        ExampleService service = start(Map.of());
        String admin = createdAdminKey();
        assertTrue(KeyFormat.isWellFormed(admin));

        assertEquals(200, get("/hello", null).statusCode());
        assertEquals("hello, world\n", get("/hello", null).body());
        HttpResponse<String> missing = get("/api/hello", null);
        assertEquals(401, missing.statusCode());
        assertEquals("MISSING", json.readTree(missing.body()).get("code").asText());
        assertEquals("Bearer realm=\"example\"", missing.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertEquals(401, get("/admin/v1/keys", null).statusCode());

        JsonNode created = adminCall(admin, "POST", "/admin/v1/keys",
                "{\"name\":\"demo\",\"ownerId\":\"cust-42\",\"prefix\":\"demo_live\",\"roles\":[\"writer\"],\"tier\":\"free\"}", 201);
        String key = created.get("key").asText(), keyId = created.get("keyId").asText();
        assertEquals("free", created.get("tier").asText());

        HttpResponse<String> posted = send("POST", "/api/documents", key, "{\"title\":\"Q3 report\",\"body\":\"...\"}");
        assertEquals(201, posted.statusCode(), posted.body());
        String location = posted.headers().firstValue("Location").orElseThrow();
        assertEquals("Q3 report", json.readTree(get(location, key).body()).get("title").asText());
        assertEquals(keyId, json.readTree(posted.body()).get("createdBy").asText());

        // A reader may read but not write: 403, which uses none of its limits.
        String reader = adminCall(admin, "POST", "/admin/v1/keys",
                "{\"ownerId\":\"cust-7\",\"prefix\":\"demo_live\",\"roles\":[\"reader\"],\"tier\":\"free\"}", 201).get("key").asText();
        HttpResponse<String> forbidden = send("POST", "/api/documents", reader, "{\"title\":\"x\"}");
        assertEquals(403, forbidden.statusCode());
        assertEquals("INSUFFICIENT_PERMISSIONS", json.readTree(forbidden.body()).get("code").asText());
        assertEquals(200, get("/api/documents", reader).statusCode());

        // Free tier: burst 5/s, sustained 100/min. Bounded by the sustained bucket, however slow the machine.
        HttpResponse<String> ok = get("/api/hello", key);
        assertEquals(200, ok.statusCode());
        assertEquals("hello, cust-42\n", ok.body());
        assertEquals("\"burst\";q=5;w=1, \"sustained\";q=100;w=60", ok.headers().firstValue("RateLimit-Policy").orElseThrow());
        HttpResponse<String> limited = ok;
        for (int i = 0; i < 120 && limited.statusCode() == 200; i++) limited = get("/api/hello", key);
        assertEquals(429, limited.statusCode());
        assertEquals("RATE_LIMITED", json.readTree(limited.body()).get("code").asText());
        assertTrue(limited.headers().firstValue("Retry-After").isPresent());
        assertTrue(limited.headers().firstValue("RateLimit-Policy").isPresent());
        assertTrue(limited.headers().firstValue("RateLimit").orElseThrow().matches(".*\"(burst|sustained)\";r=0;t=\\d+.*"),
                limited.headers().firstValue("RateLimit").orElseThrow());

        JsonNode rotated = adminCall(admin, "POST", "/admin/v1/keys/" + keyId + "/rotate", "{\"gracePeriod\":\"PT0S\"}", 201);
        String newKey = rotated.get("key").asText(), newId = rotated.get("keyId").asText();
        assertEquals(keyId, rotated.get("rotatedFrom").asText());
        assertEquals("EXPIRED", json.readTree(get("/api/hello", key).body()).get("code").asText());
        assertEquals(200, get("/api/hello", newKey).statusCode());

        adminCall(admin, "POST", "/admin/v1/keys/" + newId + "/revoke", "{\"reason\":\"test\"}", 200);
        HttpResponse<String> revoked = get("/api/hello", newKey);
        assertEquals(401, revoked.statusCode());
        assertEquals("REVOKED", json.readTree(revoked.body()).get("code").asText());

        // Stopping writes the usage counts still in memory; a restart on the same data neither creates nor shows
        // another admin key, and the first one still works.
        service.close();
        start(Map.of());
        assertFalse(output.contains(admin));
        assertFalse(CREATED_ADMIN_KEY.matcher(output).find(), output);
        JsonNode usage = adminCall(admin, "GET", "/admin/v1/keys/" + keyId + "/usage?granularity=day", null, 200);
        assertTrue(usage.get("totals").path("VALID").asLong() >= 3, usage.toString());
        assertEquals(1, usage.get("totals").path("RATE_LIMITED").asLong(), usage.toString());
        JsonNode audit = adminCall(admin, "GET", "/admin/v1/audit?keyId=" + newId, null, 200);
        assertEquals("revoke", audit.get("items").get(0).get("action").asText());
    }

    /** The HTTP benchmark's floors (keys-jmh/http-bench.sh) are there only when asked for: a header, or a valid key. */
    @Test
    void theBenchmarkFloorIsOffUnlessAskedFor() throws Exception {
        HttpRequest withHeader = HttpRequest.newBuilder(URI.create("http://127.0.0.1/floor/hello")).header("X-API-Key", "anything").build();
        ExampleService off = start(Map.of());
        String admin = createdAdminKey();
        assertEquals(404, http.send(HttpRequest.newBuilder(withHeader, (k, v) -> true).uri(URI.create(base + "/floor/hello")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        off.close();
        ExampleService on = start(Map.of(FloorFilter.ENABLED, "1"));
        assertEquals(401, get("/floor/hello", null).statusCode());
        HttpResponse<String> floor = http.send(HttpRequest.newBuilder(withHeader, (k, v) -> true).uri(URI.create(base + "/floor/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, floor.statusCode());
        assertEquals("\"bench\";r=999999999;t=1", floor.headers().firstValue("RateLimit").orElseThrow());
        HttpRequest verifying = HttpRequest.newBuilder(withHeader, (k, v) -> true).uri(URI.create(base + "/floor-verify/hello")).build();
        assertEquals(401, http.send(verifying, HttpResponse.BodyHandlers.ofString()).statusCode(), "not a key");
        HttpRequest withAdminKey = HttpRequest.newBuilder(URI.create(base + "/floor-verify/hello")).header("X-API-Key", admin).build();
        assertEquals(200, http.send(withAdminKey, HttpResponse.BodyHandlers.ofString()).statusCode());
        on.close();
    }

    @Test
    void importsTheAdminKeyFromTheEnvironmentOnce() throws Exception {
        String admin = new KeyFormat().generate("ops_live");
        ExampleService first = start(Map.of("KEYS_ADMIN_KEY", admin));
        assertTrue(output.contains("imported as key_"), output);
        assertFalse(output.contains(admin));
        assertEquals(0, adminCall(admin, "GET", "/admin/v1/keys", null, 200).get("items").size() - 1);
        first.close();

        start(Map.of("KEYS_ADMIN_KEY", admin));
        assertFalse(output.contains(admin));
        assertEquals(1, adminCall(admin, "GET", "/admin/v1/keys", null, 200).get("items").size());
    }

    @Test
    void quotasAreCountedInTheDatabaseAcrossRestarts() throws Exception {
        String admin = new KeyFormat().generate("ops_live");
        ExampleService first = start(Map.of("KEYS_ADMIN_KEY", admin));
        String key = adminCall(admin, "POST", "/admin/v1/keys", "{\"ownerId\":\"q\",\"prefix\":\"demo_live\",\"roles\":[\"reader\"],"
                + "\"tier\":\"free\",\"quota\":{\"limit\":2,\"period\":\"DAY\"}}", 201).get("key").asText();
        assertEquals(200, get("/api/hello", key).statusCode());
        first.close();

        start(Map.of("KEYS_ADMIN_KEY", admin));
        assertEquals(200, get("/api/hello", key).statusCode());
        HttpResponse<String> spent = get("/api/hello", key);
        assertEquals(429, spent.statusCode());
        assertEquals("USAGE_EXCEEDED", json.readTree(spent.body()).get("code").asText());
        assertTrue(spent.headers().firstValue("RateLimit-Policy").orElseThrow().endsWith(", \"quota\";q=2;w=86400"));
        assertTrue(spent.headers().firstValue("RateLimit").orElseThrow().contains("\"quota\";r=0;t="));
    }

    @Test
    void oauthClientCredentialsOverHttp() throws Exception {
        String admin = new KeyFormat().generate("ops_live");
        // A fixed issuer, as a deployment has: the restart below listens on another free port.
        Map<String, String> env = Map.of("KEYS_ADMIN_KEY", admin, "KEYS_ISSUER", "https://keys.example.test");
        ExampleService first = start(env);
        assertTrue(output.contains("ES256 signing key generated, sealed under " + dir.resolve(RootSecret.FILE_NAME)), output);
        // Two tokens a minute for the client, whatever number of tokens it holds: refilled every 30 s, so the third
        // request is refused however slow the machine.
        JsonNode client = adminCall(admin, "POST", "/admin/v1/clients",
                "{\"name\":\"nightly export\",\"roles\":[\"reader\"],\"ratelimits\":[{\"name\":\"burst\",\"limit\":2,\"duration\":\"PT1M\"}]}", 201);
        String clientId = client.get("clientId").asText(), secret = client.get("clientSecret").asText();

        HttpResponse<String> issued = token(clientId, secret, "grant_type=client_credentials");
        assertEquals(200, issued.statusCode(), issued.body());
        assertEquals("no-store", issued.headers().firstValue("Cache-Control").orElseThrow());
        JsonNode answer = json.readTree(issued.body());
        assertEquals("Bearer", answer.get("token_type").asText());
        assertEquals(900, answer.get("expires_in").asInt());
        assertEquals("documents:read hello:read", answer.get("scope").asText());
        String token = answer.get("access_token").asText();

        HttpResponse<String> hello = get("/api/hello", token);
        assertEquals(200, hello.statusCode(), hello.body());
        assertEquals("hello, " + clientId + "\n", hello.body());
        assertEquals("\"burst\";q=2;w=60", hello.headers().firstValue("RateLimit-Policy").orElseThrow());
        HttpResponse<String> write = send("POST", "/api/documents", token, "{\"title\":\"x\"}");
        assertEquals(403, write.statusCode());
        assertTrue(write.headers().firstValue("WWW-Authenticate").orElseThrow().contains("insufficient_scope"));
        HttpResponse<String> limited = get("/api/documents", token);
        assertEquals(200, limited.statusCode());
        limited = get("/api/hello", token);
        assertEquals(429, limited.statusCode());
        assertEquals("RATE_LIMITED", json.readTree(limited.body()).get("code").asText());

        JsonNode jwks = json.readTree(get("/.well-known/jwks.json", null).body()).get("keys");
        assertEquals(1, jwks.size());
        assertEquals("ES256", jwks.get(0).get("alg").asText());
        assertFalse(jwks.get(0).has("d"));
        String kid = json.readTree(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.')))).get("kid").asText();
        assertEquals(kid, jwks.get(0).get("kid").asText());

        assertEquals(401, token(clientId, "cs_wrong", "grant_type=client_credentials").statusCode());
        assertEquals("invalid_scope", json.readTree(token(clientId, secret, "grant_type=client_credentials&scope=documents:write").body())
                .get("error").asText());

        // The signing keys are in the database, sealed: a restart keeps accepting the tokens already issued...
        first.close();
        start(env);
        assertTrue(output.contains("ES256 signing keys sealed under"), output);
        assertEquals(200, get("/api/hello", token).statusCode());
        running.forEach(ExampleService::close);
        // ...and another root secret cannot open them.
        String other = HexFormat.of().formatHex(new byte[32]);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(Map.of("KEYS_ROOT_SECRET", other)));
        assertTrue(e.getMessage().contains("cannot be opened with this root secret"), e.getMessage());
    }

    /** The calls of issue 17 against the example: default prefix, credits, single grants, import, erasure. */
    @Test
    void theCompleteAdminApiOverHttp() throws Exception {
        start(Map.of());
        String admin = createdAdminKey();
        JsonNode created = adminCall(admin, "POST", "/admin/v1/keys", "{\"ownerId\":\"cust-1\",\"roles\":[\"reader\"],\"remaining\":2}", 201);
        String key = created.get("key").asText(), id = created.get("keyId").asText();
        assertTrue(key.startsWith("sk_live_"), "the example's default prefix");
        assertEquals("sk_test", adminCall(admin, "POST", "/admin/v1/keys", "{\"environment\":\"test\"}", 201).get("prefix").asText());
        assertEquals(5, adminCall(admin, "POST", "/admin/v1/keys/" + id + "/remaining", "{\"op\":\"increment\",\"value\":3}", 200)
                .get("remaining").asInt());
        JsonNode granted = adminCall(admin, "POST", "/admin/v1/keys/" + id + "/roles", "{\"add\":[\"writer\"],\"remove\":[\"reader\"]}", 200);
        assertEquals("[\"writer\"]", granted.get("roles").toString());
        assertEquals(201, send("POST", "/api/documents", key, "{\"title\":\"t\"}").statusCode());
        HttpResponse<String> bad = send("POST", "/admin/v1/keys", admin, "{\"remaining\":\"lots\",\"expiresAt\":\"tomorrow\"}");
        assertEquals(400, bad.statusCode());
        assertEquals(2, json.readTree(bad.body()).get("errors").size());
        String legacy = new KeyFormat().generate("legacy");
        JsonNode imported = adminCall(admin, "POST", "/admin/v1/keys/import",
                "{\"keys\":[{\"key\":\"" + legacy + "\",\"externalId\":\"old-1\",\"prefix\":\"legacy\",\"roles\":[\"reader\"]}]}", 200);
        assertEquals(1, imported.get("imported").asInt(), imported.toString());
        assertEquals(200, get("/api/documents", legacy).statusCode());
        HttpResponse<String> erased = send("DELETE", "/admin/v1/keys/" + id, admin, null);
        assertEquals(204, erased.statusCode(), erased.body());
        assertEquals(401, get("/api/hello", key).statusCode());
        JsonNode audit = adminCall(admin, "GET", "/admin/v1/audit?keyId=" + id, null, 200);
        assertEquals("erase", audit.get("items").get(0).get("action").asText());
    }

    private HttpResponse<String> token(String clientId, String secret, String form) throws Exception {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create(base + "/oauth/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Issue 14 #10 and #4: discovery leads to a working token endpoint; a revoked or disabled client's tokens are 401. */
    @Test
    void oauthDiscoveryAndClientRevocationOverHttp() throws Exception {
        String admin = new KeyFormat().generate("ops_live");
        ExampleService service = start(Map.of("KEYS_ADMIN_KEY", admin));
        HttpResponse<String> found = get("/.well-known/oauth-authorization-server", null);
        assertEquals(200, found.statusCode(), found.body());
        JsonNode metadata = json.readTree(found.body());
        String issuer = metadata.get("issuer").asText();
        assertEquals("http://localhost:" + service.port(), issuer);
        assertEquals(issuer, service.issuer());
        assertTrue(output.contains("issuer:    " + issuer), output);
        assertEquals(issuer + "/.well-known/jwks.json", metadata.get("jwks_uri").asText());
        assertEquals("[\"client_credentials\"]", metadata.get("grant_types_supported").toString());
        assertEquals("[\"documents:read\",\"documents:write\",\"hello:read\"]", metadata.get("scopes_supported").toString());

        JsonNode client = adminCall(admin, "POST", "/admin/v1/clients", "{\"name\":\"reports\",\"roles\":[\"reader\"]}", 201);
        String form = "grant_type=client_credentials&client_id=" + client.get("clientId").asText() + "&client_secret=";
        HttpResponse<String> issued = postForm(metadata.get("token_endpoint").asText(), form + client.get("clientSecret").asText());
        assertEquals(200, issued.statusCode(), issued.body());
        String token = json.readTree(issued.body()).get("access_token").asText();
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        assertEquals(issuer, json.readTree(payload).get("iss").asText());
        HttpResponse<String> wrong = postForm(metadata.get("token_endpoint").asText(), form + "cs_wrong");
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.headers().firstValue("WWW-Authenticate").isEmpty(), "no Basic challenge to a form-post client");

        assertEquals(200, get("/api/hello", token).statusCode());
        adminCall(admin, "POST", "/admin/v1/clients/" + client.get("clientId").asText() + "/revoke", "{\"reason\":\"leaked\"}", 200);
        HttpResponse<String> revoked = get("/api/hello", token);
        assertEquals(401, revoked.statusCode(), "from the next request on");
        assertEquals("REVOKED", json.readTree(revoked.body()).get("code").asText());

        JsonNode other = adminCall(admin, "POST", "/admin/v1/clients", "{\"name\":\"nightly\",\"roles\":[\"reader\"]}", 201);
        String otherToken = json.readTree(token(other.get("clientId").asText(), other.get("clientSecret").asText(),
                "grant_type=client_credentials").body()).get("access_token").asText();
        assertEquals(200, get("/api/hello", otherToken).statusCode());
        adminCall(admin, "POST", "/admin/v1/clients/" + other.get("clientId").asText() + "/disable", "{}", 200);
        HttpResponse<String> disabled = get("/api/hello", otherToken);
        assertEquals(401, disabled.statusCode());
        assertEquals("token's client is disabled", json.readTree(disabled.body()).get("detail").asText());
    }

    /** Issue 14 #7: TRACE echoed the headers on unmapped paths (Jetty's default servlet); refused everywhere now. */
    @Test
    void traceIsRefusedOnEveryPathWithoutEchoingAKey() throws Exception {
        String admin = new KeyFormat().generate("ops_live");
        start(Map.of("KEYS_ADMIN_KEY", admin));
        for (String path : List.of("/", "/nonexistent", "/hello", "/api/hello", "/api/documents", "/admin/v1/keys", "/oauth/token",
                "/.well-known/jwks.json", "/.well-known/oauth-authorization-server")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).method("TRACE", HttpRequest.BodyPublishers.noBody())
                    .header("Authorization", "Bearer " + admin).header("X-API-Key", admin).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, r.statusCode(), path + ": " + r.body());
            assertFalse(r.body().contains(admin) || r.headers().map().toString().contains(admin), path + " echoed the key");
        }
    }

    /** Issue 14 #9: the data directory is 0700 and its files 0600, also for a directory an older version left open. */
    @Test
    void theDataDirectoryIsOwnerOnly() throws Exception {
        Path data = dir.resolve("data");
        start(Map.of(), data).close();
        assertOwnerOnly(data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(data.resolve("keys.mv.db"), PosixFilePermissions.fromString("rw-r--r--"));
        start(Map.of(), data);
        assertOwnerOnly(data);
    }

    static void assertOwnerOnly(Path data) throws Exception {
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
        List<String> files;
        try (Stream<Path> list = Files.list(data)) {
            files = list.map(p -> p.getFileName() + " " + permissions(p)).sorted().toList();
        }
        assertTrue(files.contains("keys.mv.db rw-------"), files.toString());
        assertTrue(files.contains("root-secret rw-------"), files.toString());
        for (String f : files) assertTrue(f.endsWith(" rw-------"), files.toString());
    }

    static String permissions(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Issue 14 #9: a new database hashes with the root secret's pepper; one written by SHA-256 goes on with it. */
    @Test
    void newDatabasesHashWithThePepperAndOlderOnesKeepVerifying() throws Exception {
        String admin = new KeyFormat().generate("ops_live");
        start(Map.of("KEYS_ADMIN_KEY", admin)).close();
        byte[] root = RootSecret.load(Optional.empty(), dir).secret();
        try (Db db = new Db(dir)) {
            assertTrue(db.stores.keyStore().findByDigest(KeyHasher.hmacFromRootSecret(root).digest(admin)).isPresent());
            assertTrue(db.stores.keyStore().findByDigest(KeyHasher.sha256().digest(admin)).isEmpty(), "not plain SHA-256");
            assertEquals(KeyHashing.HMAC, db.setting());
        }
        assertTrue(output.contains("hashing:   HMAC-SHA256"), output);

        // A database as the example made it before: keys and clients hashed with SHA-256, nothing recorded.
        Path old = dir.resolve("old");
        String oldAdmin = new KeyFormat().generate("ops_live");
        IssuedClient oldClient;
        try (Db db = new Db(old)) {
            try (Keys keys = Keys.builder().store(db.stores.keyStore()).hasher(KeyHasher.sha256()).build()) {
                AdminBootstrap.builder(keys.manager(), keys.store()).build().ensure(Optional.of(oldAdmin));
            }
            oldClient = ClientManager.builder(db.stores.clientStore()).build()
                    .create(new NewClient("old job", "default", Set.of("reader"), Set.of(), List.of()));
        }
        start(Map.of(), old);
        assertTrue(output.contains("hashing:   SHA-256"), output);
        assertEquals(200, get("/admin/v1/keys", oldAdmin).statusCode(), "the old admin key still verifies");
        assertEquals(200, token(oldClient.clientId(), oldClient.clientSecret(), "grant_type=client_credentials").statusCode());
        String newKey = adminCall(oldAdmin, "POST", "/admin/v1/keys", "{\"ownerId\":\"n\",\"prefix\":\"demo_live\",\"roles\":[\"reader\"]}", 201).get("key").asText();
        assertEquals(200, get("/api/hello", newKey).statusCode(), "keys made later use the recorded hashing too");
        running.forEach(ExampleService::close);
        try (Db db = new Db(old)) {
            assertEquals(KeyHashing.SHA256, db.setting());
        }
    }

    /** The example's H2 file, opened as the example opens it. */
    static final class Db implements AutoCloseable {
        final JdbcDataSource ds = new JdbcDataSource();
        final JdbcStores stores;

        Db(Path data) throws Exception {
            DataDir.prepare(data);
            ds.setURL("jdbc:h2:file:" + data.resolve(Settings.H2_NAME) + ";DB_CLOSE_ON_EXIT=FALSE");
            ds.setUser("sa");
            stores = JdbcStores.builder(ds).migrate(true).build();
        }

        String setting() throws Exception {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT setting FROM " + KeyHashing.TABLE + " WHERE name = '" + KeyHashing.NAME + "'")) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }

        @Override
        public void close() throws Exception {
            stores.close();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            }
        }
    }

    /** Issue 14 #9: it listens on 127.0.0.1 unless HOST says otherwise. */
    @Test
    void listensOnLoopbackOnlyUnlessHostSaysOtherwise() throws Exception {
        ExampleService service = start(Map.of());
        InetSocketAddress bound = (InetSocketAddress) ((ServerSocketChannel) service.connector().getTransport()).getLocalAddress();
        assertEquals(InetAddress.getByName("127.0.0.1"), bound.getAddress());
        assertTrue(output.contains("interface: 127.0.0.1 only"), output);
        service.close();

        ExampleService other = start(Map.of("HOST", "127.0.0.2"));
        try (Socket s = new Socket()) {
            assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress("127.0.0.1", other.port()), 2_000));
        }
        HttpResponse<String> there = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.2:" + other.port() + "/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, there.statusCode());
        assertEquals("http://127.0.0.2:" + other.port(), other.issuer());
    }

    private HttpResponse<String> postForm(String url, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void refusesAMalformedAdminKeyWithoutRepeatingIt() {
        String typo = new KeyFormat().generate("ops_live").replace('a', 'b').replace('A', 'B') + "x";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> start(Map.of("KEYS_ADMIN_KEY", typo)));
        assertFalse(e.getMessage().contains(typo));
        assertNotEquals(-1, e.getMessage().indexOf("KEYS_ADMIN_KEY"));
    }

    @Test
    void aTenantManagerGrantsOnlyWhatItsCeilingCovers() throws Exception {
        start(Map.of());
        String admin = createdAdminKey();
        String acme = adminCall(admin, "POST", "/admin/v1/keys",
                "{\"prefix\":\"acme_live\",\"tenant\":\"acme\",\"permissions\":[\"keys:manage\"]}", 201).get("key").asText();
        String other = adminCall(admin, "POST", "/admin/v1/keys",
                "{\"prefix\":\"demo_live\",\"permissions\":[\"keys:manage\"]}", 201).get("key").asText();
        adminCall(acme, "POST", "/admin/v1/keys", "{\"prefix\":\"acme_live\",\"roles\":[\"reader\"]}", 201);
        adminCall(acme, "POST", "/admin/v1/keys", "{\"prefix\":\"acme_live\",\"roles\":[\"writer\"]}", 403);
        adminCall(acme, "POST", "/admin/v1/keys", "{\"prefix\":\"acme_live\",\"permissions\":[\"documents:write\"]}", 403);
        // The default tenant has the default ceiling: the roles and the routes' permissions, never a wildcard.
        adminCall(other, "POST", "/admin/v1/keys", "{\"prefix\":\"demo_live\",\"roles\":[\"writer\"]}", 201);
        adminCall(other, "POST", "/admin/v1/keys", "{\"prefix\":\"demo_live\",\"permissions\":[\"*:read\"]}", 403);
        adminCall(other, "POST", "/admin/v1/keys", "{\"prefix\":\"demo_live\",\"roles\":[\"ROLE_ADMIN\"]}", 400);
    }

    @Test
    void rolesDefinedAtRunTimeHoldThroughTheExamplesFilterAndCeilings() throws Exception {
        start(Map.of());
        String admin = createdAdminKey();
        JsonNode roles = adminCall(admin, "GET", "/admin/v1/roles", null, 200).get("roles");
        assertEquals("[{\"name\":\"reader\",\"permissions\":[\"documents:read\",\"hello:read\"],\"source\":\"code\"},"
                + "{\"name\":\"writer\",\"permissions\":[\"documents:read\",\"documents:write\",\"hello:read\"],\"source\":\"code\"}]", roles.toString());
        adminCall(admin, "PUT", "/admin/v1/roles/writer", "{\"permissions\":[\"documents:read\"]}", 409);

        adminCall(admin, "PUT", "/admin/v1/roles/publisher", "{\"permissions\":[\"documents:read\",\"documents:write\"]}", 200);
        String key = adminCall(admin, "POST", "/admin/v1/keys", "{\"prefix\":\"demo_live\",\"roles\":[\"publisher\"]}", 201).get("key").asText();
        assertEquals(201, send("POST", "/api/documents", key, "{\"title\":\"t\"}").statusCode());
        adminCall(admin, "PUT", "/admin/v1/roles/publisher", "{\"permissions\":[\"documents:read\"]}", 200);
        assertEquals(403, send("POST", "/api/documents", key, "{\"title\":\"t\"}").statusCode(), "narrowed from the next request");
        assertEquals(200, get("/api/documents", key).statusCode());

        // The default tenant's managers may grant a runtime role (the default ceiling follows the roles); acme's may not.
        String manager = adminCall(admin, "POST", "/admin/v1/keys", "{\"prefix\":\"demo_live\",\"permissions\":[\"keys:manage\"]}", 201).get("key").asText();
        String acme = adminCall(admin, "POST", "/admin/v1/keys", "{\"prefix\":\"demo_live\",\"tenant\":\"acme\",\"permissions\":[\"keys:manage\"]}", 201)
                .get("key").asText();
        adminCall(manager, "POST", "/admin/v1/keys", "{\"prefix\":\"demo_live\",\"roles\":[\"publisher\"]}", 201);
        adminCall(acme, "POST", "/admin/v1/keys", "{\"prefix\":\"demo_live\",\"roles\":[\"publisher\"]}", 403);
        adminCall(manager, "PUT", "/admin/v1/roles/publisher", "{\"permissions\":[\"documents:*\"]}", 403);

        assertEquals(204, send("DELETE", "/admin/v1/roles/publisher", admin, null).statusCode());
        assertEquals(403, get("/api/documents", key).statusCode(), "a deleted role grants nothing");
        assertEquals(404, send("DELETE", "/admin/v1/roles/publisher", admin, null).statusCode());
    }

    private ExampleService start(Map<String, String> env) throws Exception {
        return start(env, dir);
    }

    /** The admin key the start printed, the one time it was created. */
    private String createdAdminKey() {
        Matcher m = CREATED_ADMIN_KEY.matcher(output);
        assertTrue(m.find(), output);
        return m.group(1);
    }

    private ExampleService start(Map<String, String> env, Path data) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.put("PORT", "0");
        all.put("KEYS_DATA_DIR", data.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExampleService service = ExampleService.start(Settings.fromEnvironment(all), new PrintStream(out, true, StandardCharsets.UTF_8));
        running.add(service);
        output = out.toString(StandardCharsets.UTF_8);
        base = "http://localhost:" + service.port();
        return service;
    }

    private JsonNode adminCall(String admin, String method, String path, String body, int expected) throws Exception {
        HttpResponse<String> r = send(method, path, admin, body);
        assertEquals(expected, r.statusCode(), r.body());
        return json.readTree(r.body());
    }

    private HttpResponse<String> get(String path, String key) throws Exception {
        return send("GET", path, key, null);
    }

    private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
