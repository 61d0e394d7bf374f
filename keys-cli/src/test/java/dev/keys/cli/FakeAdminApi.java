package dev.keys.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keys.core.format.KeyFormat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * A test double of the admin API (docs/contract.md §5) on the JDK's HttpServer, until {@code POST /keys/import}
 * is on main: {@code /keys/import} exactly as the contract gives it (at most 1,000 keys, idempotent by
 * {@code externalId}, per-item errors with index and field), and enough of {@code /keys} and {@code /audit} for the
 * other commands.
 */
final class FakeAdminApi implements AutoCloseable {
    static final String ADMIN_KEY = "admin_live_0000000000000000000000000000000000000";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> IMPORT_FIELDS = Set.of("key", "sha256", "externalId", "name", "tenant", "ownerId", "prefix",
            "environment", "expiresAt", "tier", "roles", "permissions");

    final Map<String, ObjectNode> keys = new LinkedHashMap<>();
    final Map<String, String> byExternalId = new LinkedHashMap<>();
    final List<ObjectNode> audit = new ArrayList<>();
    final AtomicInteger importCalls = new AtomicInteger();
    final AtomicInteger importedItems = new AtomicInteger();
    /** Which import calls (1-based) answer 503, to test resuming. */
    volatile IntPredicate failCall = n -> false;
    private final HttpServer server;
    private final AtomicInteger ids = new AtomicInteger();
    private final KeyFormat format = new KeyFormat();

    FakeAdminApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/admin/v1/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A key as created through the API: the plaintext, once. */
    synchronized String createKey(String prefix) {
        String plaintext = format.generate(prefix);
        store(prefix, KeyFormat.start(plaintext), "created", null);
        return plaintext;
    }

    private synchronized void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath().substring("/admin/v1".length());
            String method = x.getRequestMethod();
            if (!("Bearer " + ADMIN_KEY).equals(x.getRequestHeaders().getFirst("Authorization"))) {
                problem(x, 401, "the credential is not valid");
                return;
            }
            JsonNode body = method.equals("POST") ? JSON.readTree(x.getRequestBody().readAllBytes()) : null;
            String[] seg = path.substring(1).split("/");
            if (path.equals("/keys/import") && method.equals("POST")) {
                int call = importCalls.incrementAndGet();
                if (failCall.test(call)) problem(x, 503, "the key store is unavailable");
                else send(x, 200, importKeys(body));
            } else if (path.equals("/keys") && method.equals("POST")) {
                String prefix = body.path("prefix").asText("sk_live");
                String plaintext = format.generate(prefix);
                ObjectNode k = store(prefix, KeyFormat.start(plaintext), body.path("name").asText(""), null);
                ObjectNode out = k.deepCopy();
                out.put("key", plaintext);
                send(x, 201, out);
            } else if (path.equals("/keys") && method.equals("GET")) {
                Map<String, String> q = query(x.getRequestURI().getRawQuery());
                int limit = Integer.parseInt(q.getOrDefault("limit", "100")), from = Integer.parseInt(q.getOrDefault("cursor", "0"));
                List<ObjectNode> all = new ArrayList<>(keys.values());
                ObjectNode page = JSON.createObjectNode();
                ArrayNode items = page.putArray("items");
                all.subList(Math.min(from, all.size()), Math.min(all.size(), from + limit)).forEach(items::add);
                if (from + limit < all.size()) page.put("nextCursor", Integer.toString(from + limit));
                else page.putNull("nextCursor");
                send(x, 200, page);
            } else if (seg.length == 2 && seg[0].equals("keys") && method.equals("GET")) {
                ObjectNode k = keys.get(seg[1]);
                if (k == null) problem(x, 404, "no such key");
                else send(x, 200, k);
            } else if (seg.length == 3 && seg[0].equals("keys") && seg[2].equals("revoke") && method.equals("POST")) {
                ObjectNode k = keys.get(seg[1]);
                if (k == null) {
                    problem(x, 404, "no such key");
                    return;
                }
                k.put("status", "revoked");
                audit.add(JSON.createObjectNode().put("action", "revoke").put("keyId", seg[1]).put("reason", body.path("reason").asText(null)));
                send(x, 200, k);
            } else if (path.equals("/audit") && method.equals("GET")) {
                ObjectNode page = JSON.createObjectNode();
                audit.forEach(page.putArray("items")::add);
                page.putNull("nextCursor");
                send(x, 200, page);
            } else {
                problem(x, 404, "no such resource");
            }
        }
    }

    private ObjectNode importKeys(JsonNode body) {
        ArrayNode items = (ArrayNode) body.path("keys");
        ObjectNode out = JSON.createObjectNode();
        ArrayNode errors = out.putArray("errors");
        if (items.size() > 1000) throw new IllegalStateException("more than 1000 keys in one call");
        int imported = 0, skipped = 0;
        for (int i = 0; i < items.size(); i++) {
            JsonNode it = items.get(i);
            String error = null, field = null;
            for (var names = it.fieldNames(); names.hasNext(); ) {
                String n = names.next();
                if (!IMPORT_FIELDS.contains(n)) { field = n; error = "unknown field"; }
            }
            String ext = it.path("externalId").asText("");
            if (ext.isBlank()) { field = "externalId"; error = "is required"; }
            if (it.has("key") == it.has("sha256")) { field = "key"; error = "give either key or sha256"; }
            if (it.has("sha256") && !it.path("sha256").asText().matches("[0-9a-f]{64}")) { field = "sha256"; error = "must be 64 hex digits"; }
            if (it.has("key") && !it.path("key").asText().matches("[\\x21-\\x7e]{16,256}")) { field = "key"; error = "must be 16 to 256 printable ASCII characters"; }
            if (error != null) {
                errors.addObject().put("index", i).put("field", field).put("detail", error);
            } else if (byExternalId.containsKey(ext)) {
                skipped++;
            } else {
                String key = it.path("key").asText("");
                boolean ours = KeyFormat.isWellFormed(key);
                store(ours ? KeyFormat.prefix(key) : it.path("prefix").asText("imported"), ours ? KeyFormat.start(key) : "", it.path("name").asText(""), ext);
                imported++;
            }
        }
        importedItems.addAndGet(imported);
        out.put("imported", imported);
        out.put("skipped", skipped);
        return out;
    }

    private ObjectNode store(String prefix, String start, String name, String externalId) {
        String id = "key_" + ids.incrementAndGet();
        ObjectNode k = JSON.createObjectNode().put("keyId", id).put("start", start).put("name", name).put("ownerId", "acme")
                .put("tenant", "default").put("prefix", prefix).put("status", "active");
        keys.put(id, k);
        if (externalId != null) byExternalId.put(externalId, id);
        return k;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) return q;
        for (String p : raw.split("&")) {
            String[] kv = p.split("=", 2);
            q.put(kv[0], kv.length > 1 ? java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8) : "");
        }
        return q;
    }

    private static void problem(HttpExchange x, int status, String detail) throws IOException {
        ObjectNode p = JSON.createObjectNode().put("status", status).put("title", "Error").put("detail", detail);
        x.getResponseHeaders().add("Content-Type", "application/problem+json");
        write(x, status, JSON.writeValueAsBytes(p));
    }

    private static void send(HttpExchange x, int status, JsonNode body) throws IOException {
        x.getResponseHeaders().add("Content-Type", "application/json");
        write(x, status, JSON.writeValueAsBytes(body));
    }

    private static void write(HttpExchange x, int status, byte[] bytes) throws IOException {
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
