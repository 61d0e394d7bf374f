package dev.keys.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keys.api.Outcome;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.format.KeyFormat;
import dev.keys.servlet.harness.OpenApiContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The running example service (Jetty, filter, admin API, H2) against hostile requests over a raw socket: every
 * answer is what docs/contract.md §3 says, never a 500, never a stack trace, never a key in any body or log line.
 */
class AdversarialHttpTest {
    static final Pattern CREATED_ADMIN_KEY = Pattern.compile("shown this once, keep it:\\R\\s+(\\S+)");
    static final Pattern TRACE = Pattern.compile("\\bat [a-zA-Z_$][\\w$.]*\\(|\\w+(Exception|Error)\\b|\\.java:\\d");
    static final ObjectMapper JSON = new ObjectMapper();
    static final OpenApiContract.Mounts CONTRACT = OpenApiContract.Mounts.example();
    static final String DB = "jdbc:h2:mem:adversarial-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";

    @TempDir static Path dir;
    static ExampleService service;
    static int port;
    static String admin, reader, helloOnly;
    /** Every key the test ever held: none may appear in an answer (but the one issuing it) or a log line. */
    static final Set<String> secrets = Collections.synchronizedSet(new java.util.HashSet<>());
    static final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    static final Handler CAPTURE = new Handler() {
        @Override public void publish(LogRecord r) {
            StringBuilder sb = new StringBuilder(String.valueOf(r.getMessage()));
            for (Throwable t = r.getThrown(); t != null; t = t.getCause()) sb.append(' ').append(t);
            logLines.add(sb.toString());
        }
        @Override public void flush() {}
        @Override public void close() {}
    };

    @BeforeAll
    static void start() throws Exception {
        Logger.getLogger("").addHandler(CAPTURE);
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("KEYS_DATA_DIR", dir.toString());
        env.put("KEYS_JDBC_URL", DB);
        env.put("KEYS_JDBC_USER", "sa");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        service = ExampleService.start(Settings.fromEnvironment(env), new PrintStream(out, true, StandardCharsets.UTF_8));
        port = service.port();
        Matcher m = CREATED_ADMIN_KEY.matcher(out.toString(StandardCharsets.UTF_8));
        assertTrue(m.find());
        admin = m.group(1);
        secrets.add(admin);
        reader = createKey("{\"ownerId\":\"adv\",\"prefix\":\"adv_live\",\"roles\":[\"reader\"],\"tier\":\"pro\"}");
        helloOnly = createKey("{\"ownerId\":\"adv\",\"prefix\":\"adv_live\",\"permissions\":[\"hello:read\"],\"tier\":\"pro\"}");
    }

    @AfterAll
    static void stop() {
        try {
            for (String line : logLines) {
                for (String s : secrets) assertFalse(line.contains(s), "a key in a log line: " + line);
            }
        } finally {
            Logger.getLogger("").removeHandler(CAPTURE);
            if (service != null) service.close();
        }
    }

    static String createKey(String body) throws Exception {
        Answer a = send("POST /admin/v1/keys HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + admin
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body, true);
        assertEquals(201, a.status, a.raw);
        String key = JSON.readTree(a.body).get("key").asText();
        secrets.add(key);
        return key;
    }

    record Answer(int status, String head, String body, String raw) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }

        String header(String name) {
            for (String l : head.split("\r\n")) {
                int c = l.indexOf(':');
                if (c > 0 && l.substring(0, c).equalsIgnoreCase(name)) return l.substring(c + 1).strip();
            }
            return null;
        }
    }

    /** One raw HTTP/1.1 exchange on its own connection; checks what every answer must hold. */
    static Answer send(String request) throws Exception {
        return send(request.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    static Answer send(String request, boolean issuing) throws Exception {
        return send(request.getBytes(StandardCharsets.ISO_8859_1), issuing);
    }

    static Answer send(byte[] request, boolean issuing) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (java.io.IOException e) {
                // the server may answer (431, 400) and close before reading everything
            }
            InputStream in = s.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(raw.startsWith("HTTP/1.1 "), () -> "no HTTP answer: " + raw);
            int status = Integer.parseInt(raw.substring(9, 12));
            int split = raw.indexOf("\r\n\r\n");
            String head = split < 0 ? raw : raw.substring(0, split), body = split < 0 ? "" : raw.substring(split + 4);
            assertNotEquals(500, status, raw);
            assertTrue(status < 500 || status == 503, raw);
            assertFalse(TRACE.matcher(body).find(), () -> "stack trace or exception name in " + raw);
            if (!issuing) for (String k : secrets) assertFalse(raw.contains(k), () -> "a key in the answer: " + raw);
            Answer a = new Answer(status, head, body, raw);
            // The request line as sent: "METHOD /raw/path?query HTTP/1.1".
            String[] line = new String(request, 0, Math.min(request.length, 8192), StandardCharsets.ISO_8859_1).split("\r\n", 2)[0].split(" ");
            if (line.length == 3) OpenApiContract.get().check(CONTRACT, line[0], line[1].split("\\?", 2)[0], status, a::header, body);
            return a;
        }
    }

    static String get(String path, String... headers) {
        StringBuilder sb = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: t\r\n");
        for (String h : headers) sb.append(h).append("\r\n");
        return sb.append("Connection: close\r\n\r\n").toString();
    }

    static String req(String method, String path, String... headers) {
        return get(path, headers).replaceFirst("^GET ", method + " ");
    }

    static void problem(Answer a, int status, String code) throws Exception {
        assertEquals(status, a.status, a.raw);
        assertTrue(a.header("Content-Type").startsWith("application/problem+json"), a.raw);
        JsonNode p = a.json();
        assertEquals(code, p.get("code").asText(), a.raw);
        for (String f : List.of("type", "title", "status", "detail", "code", "requestId")) assertTrue(p.has(f), f + " in " + a.body);
    }

    @Test
    void theKeysWork() throws Exception {
        assertEquals(200, send(get("/api/hello", "Authorization: Bearer " + helloOnly)).status);
        assertEquals(200, send(get("/api/documents", "X-API-Key: " + reader)).status);
    }

    @Test
    void headersOf64KiBAnswer431WithoutATrace() throws Exception {
        String big = "x".repeat(64 * 1024);
        Answer a = send(get("/api/hello", "X-Filler: " + big, "Authorization: Bearer " + helloOnly));
        assertEquals(431, a.status, a.head);
        Answer b = send(get("/api/hello", "Authorization: Bearer " + big));
        assertEquals(431, b.status, b.head);
    }

    @Test
    void controlAndNonAsciiCharactersInCredentials() throws Exception {
        String k = helloOnly;
        // NUL, CR and LF inside a header value: the container refuses the request (400), or the key is malformed (401).
        for (String bad : List.of(k.substring(0, 10) + "\0" + k.substring(10), k + "\0", k.substring(0, 10) + "\r" + k.substring(11),
                k.substring(0, 10) + "\rX-Injected: 1" + k.substring(10))) {
            Answer a = send(get("/api/hello", "Authorization: Bearer " + bad));
            assertTrue(a.status == 400 || a.status == 401, a.raw);
        }
        // A bare LF ends the header line: the rest is a header of its own, and the credential is malformed or missing.
        Answer lf = send(get("/api/hello", "X-API-Key: " + k.substring(0, 10) + "\n" + "x: " + k.substring(10)));
        assertTrue(lf.status == 400 || lf.status == 401, lf.raw);
        // Non-ASCII: UTF-8 bytes and a Latin-1 byte inside the key.
        byte[] utf8 = get("/api/hello", "X-API-Key: " + k.substring(0, 12) + "é" + k.substring(13)).getBytes(StandardCharsets.UTF_8);
        Answer u = send(utf8, false);
        assertTrue(u.status == 400 || u.status == 401, u.raw);
        if (u.status == 401) assertEquals("MALFORMED", u.json().get("code").asText());
        problem(send(get("/api/hello", "X-API-Key: " + k.substring(0, 12) + "\u00e9" + k.substring(13))), 401, "MALFORMED");
    }

    @Test
    void sqlMetacharactersNeverReachTheDatabaseAsSql() throws Exception {
        for (String cred : List.of("' OR '1'='1", "x'; DROP TABLE keys_api_key; --", "adv_live_' UNION SELECT * FROM keys_api_key --",
                "\" OR 1=1 --", "%27%20OR%201%3D1")) {
            Answer a = send(get("/api/hello", "Authorization: Bearer " + cred));
            problem(a, 401, "MALFORMED");
            assertEquals("Bearer realm=\"example\", error=\"invalid_token\"", a.header("WWW-Authenticate"));
        }
        Answer byId = send(get("/admin/v1/keys/'%20OR%20'1'='1", "Authorization: Bearer " + admin));
        assertEquals(404, byId.status, byId.raw);
        Answer list = send(get("/admin/v1/keys?tenant=%27%20OR%20%271%27%3D%271&limit=5", "Authorization: Bearer " + admin));
        assertEquals(200, list.status, list.raw);
        assertEquals(0, list.json().get("items").size());
        assertEquals(200, send(get("/api/hello", "Authorization: Bearer " + helloOnly)).status, "the table is still there");
    }

    @Test
    void twoCredentialsAreAnInvalidRequest() throws Exception {
        problem(send(get("/api/hello", "Authorization: Bearer " + helloOnly, "X-API-Key: " + helloOnly)), 400, "INVALID_REQUEST");
        problem(send(get("/api/hello", "X-API-Key: " + helloOnly, "X-API-Key: " + reader)), 400, "INVALID_REQUEST");
        problem(send(get("/api/hello", "Authorization: Bearer " + helloOnly, "Authorization: Bearer " + helloOnly)), 400, "INVALID_REQUEST");
        Answer both = send(get("/api/hello", "Authorization: Bearer " + helloOnly, "X-API-Key: " + reader));
        assertTrue(both.header("WWW-Authenticate").contains("error=\"invalid_request\""), both.raw);
        // Query-string keys are off by default: a key there is no credential at all, and is never echoed.
        problem(send(get("/api/hello?api_key=" + helloOnly + "&key=" + helloOnly)), 401, "MISSING");
    }

    @Test
    void unmappedMethods() throws Exception {
        Answer head = send(req("HEAD", "/api/hello", "Authorization: Bearer " + helloOnly));
        assertEquals(200, head.status, "a GET route covers HEAD");
        assertEquals("", head.body);
        assertEquals(401, send(req("HEAD", "/api/documents")).status);
        assertEquals(403, send(req("HEAD", "/api/documents", "Authorization: Bearer " + helloOnly)).status, "HEAD is held to GET's rule");
        for (String m : List.of("OPTIONS", "TRACE", "PUT", "DELETE", "PATCH", "PROPFIND", "FOO")) {
            Answer none = send(req(m, "/api/hello"));
            assertTrue(none.status == 401 || none.status == 400 || none.status == 405, m + ": " + none.raw);
            Answer keyed = send(req(m, "/api/hello", "Authorization: Bearer " + reader));
            assertTrue(keyed.status == 403 || keyed.status == 405 || keyed.status == 400, m + ": " + keyed.raw);
        }
        // HttpServlet's TRACE echoes the request headers, and with them the key (found here; fixed in the servlets).
        for (String p : List.of("/hello", "/api/documents")) {
            Answer trace = send(req("TRACE", p, "Authorization: Bearer " + reader));
            assertTrue(trace.status == 405 || trace.status == 403, p + ": " + trace.raw);
        }
    }

    @Test
    void pathSpellingsNeverReachAStrongerRule() throws Exception {
        String h = "Authorization: Bearer " + helloOnly;
        for (String p : List.of("/api/documents", "/api//documents", "/api/documents/", "/api/./documents", "/api/documents;jsessionid=1",
                "/api/documents;x=1/1", "/api/%64ocuments", "/api/hello/../documents", "/api/hello/%2e%2e/documents", "/api/hello/%2E%2E/documents",
                "/api/hello/.%2e/documents", "/api/hello/..;/documents", "/api/hello%2f..%2fdocuments", "/api/hello/%252e%252e/documents",
                "/api/%2e%2e/api/documents", "/API/documents", "/Api/Documents", "/api/DOCUMENTS", "/api/documents%00", "/api/documents%20",
                "/api/hello;%2f..%2fdocuments", "/api\\documents", "/api/hello/..%5cdocuments", "/api/hello/%c0%ae%c0%ae/documents")) {
            Answer a = send(get(p, h));
            assertTrue(Set.of(400, 401, 403, 404).contains(a.status), () -> p + " answered " + a.raw);
            Answer noKey = send(get(p));
            assertTrue(Set.of(400, 401, 404).contains(noKey.status), () -> p + " without a key answered " + noKey.raw);
        }
        // the admin API is not reachable from /api by dot segments either
        for (String p : List.of("/api/../admin/v1/keys", "/api/%2e%2e/admin/v1/keys", "/api/hello/..;/../admin/v1/keys")) {
            Answer a = send(get(p, "Authorization: Bearer " + reader));
            assertTrue(Set.of(400, 401, 403, 404).contains(a.status), () -> p + " answered " + a.raw);
        }
    }

    /** Store lookups of the key table so far, from H2's own statistics. */
    static long digestLookups(Statement st) throws Exception {
        long n = 0;
        try (ResultSet rs = st.executeQuery("SELECT SQL_STATEMENT, EXECUTION_COUNT FROM INFORMATION_SCHEMA.QUERY_STATISTICS")) {
            while (rs.next()) if (rs.getString(1).toLowerCase().contains("from keys_api_key where digest")) n += rs.getLong(2);
        }
        return n;
    }

    @Test
    void aFloodOfRandomWellFormedKeysReachesTheStoreOncePerKey() throws Exception {
        KeyFormat format = new KeyFormat();
        List<String> random = new ArrayList<>();
        for (int i = 0; i < 300; i++) random.add(format.generate("adv_live"));
        try (Connection c = DriverManager.getConnection(DB, "sa", ""); Statement st = c.createStatement()) {
            st.execute("SET QUERY_STATISTICS TRUE");
            st.execute("SET QUERY_STATISTICS_MAX_ENTRIES 1000");
            // The verifier's change-feed poller also looks keys up by digest when keys changed by other tests are
            // refreshed: a few lookups of slack, far below one per request.
            int slack = 5;
            long before = digestLookups(st);
            for (String k : random) problem(send(get("/api/hello", "Authorization: Bearer " + k)), 401, "NOT_FOUND");
            long first = digestLookups(st) - before;
            assertTrue(first >= random.size() / 2, "statistics saw " + first + " lookups: the counts here prove nothing");
            assertTrue(first <= random.size() + slack, "300 requests of 300 unknown keys made " + first + " lookups");
            for (int round = 0; round < 2; round++) {
                for (String k : random) problem(send(get("/api/hello", "Authorization: Bearer " + k)), 401, "NOT_FOUND");
            }
            long again = digestLookups(st) - before - first;
            assertTrue(again <= slack, "600 more requests of the same keys made " + again + " lookups: the negative cache did not answer");
            // malformed floods never reach it
            long mid = digestLookups(st);
            for (int i = 0; i < 200; i++) send(get("/api/hello", "Authorization: Bearer adv_live_" + "x".repeat(i % 50)));
            assertEquals(mid, digestLookups(st));
        }
    }

    @Test
    void aCostAboveCapacityIsRateLimitedAndConsumesNothing() throws Exception {
        // The filter charges one token per request; a larger cost is the verifier's (RequestContext.withCost).
        String limited = createKey("{\"ownerId\":\"adv\",\"prefix\":\"adv_live\",\"permissions\":[\"hello:read\"],"
                + "\"ratelimits\":[{\"name\":\"burst\",\"limit\":5,\"duration\":\"PT1M\"}]}");
        RequestContext big = RequestContext.of("GET", "/api/hello").withCost(6);
        Verification v = service.keys().verifier().verify(limited, big);
        assertEquals(Outcome.RATE_LIMITED, v.outcome());
        assertEquals(Outcome.RATE_LIMITED, service.keys().verifier().verify(limited, RequestContext.of("GET", "/").withCost(Long.MAX_VALUE)).outcome());
        for (int i = 0; i < 5; i++) assertEquals(200, send(get("/api/hello", "X-API-Key: " + limited)).status, "request " + i);
        Answer sixth = send(get("/api/hello", "X-API-Key: " + limited));
        problem(sixth, 429, "RATE_LIMITED");
        assertNotNull(sixth.header("Retry-After"));
        assertNotNull(sixth.header("RateLimit"));
    }
}
