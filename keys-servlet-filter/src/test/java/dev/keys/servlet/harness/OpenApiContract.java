package dev.keys.servlet.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import dev.keys.servlet.OpenApiDocument;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Checks an HTTP answer against the OpenAPI document of the admin API ({@link OpenApiDocument}): that the operation
 * exists for the method and path, that the status is documented for it, that the content type is one it documents
 * and that the body validates against that schema (JSON Schema 2020-12 with the OpenAPI 3.1 vocabulary, by
 * networknt's json-schema-validator), and that the headers it marks required are there. A path the document does
 * not list answers a problem; a method a path does not list answers the path's {@code x-keys-other-methods}
 * response (default {@code components/responses/MethodNotAllowed}). A failure is an {@link AssertionError} naming
 * the operation, the status and the schema errors.
 *
 * <p>{@link Mounts} say where the document's paths are on the server under test: the admin base, and where the
 * endpoints outside it are mounted. {@link JettyHarness} fills them from the servlets it is given and checks every
 * exchange; other HTTP tests make their client with {@link #checking}, or call {@link #check(Mounts, String, String,
 * int, Function, String)} from their one sending method.
 */
public final class OpenApiContract {
    /** The id the document is registered under, so that its {@code $ref}s resolve; never fetched. */
    static final String ID = "https://keys.dev/openapi.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "head", "put", "post", "delete", "options", "patch", "trace");
    private static final OpenApiContract INSTANCE = new OpenApiContract(OpenApiDocument.bytes());

    private final JsonNode doc;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    OpenApiContract(byte[] document) {
        try {
            doc = JSON.readTree(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = new String(document, StandardCharsets.UTF_8);
        SchemaRegistryConfig config = SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build();
        registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(), b -> b.schemas(Map.of(ID, text)).schemaRegistryConfig(config));
    }

    public static OpenApiContract get() {
        return INSTANCE;
    }

    public JsonNode document() {
        return doc;
    }

    /** Where the document's paths are served: request path prefixes and the document paths they stand for. */
    public static final class Mounts {
        private final List<String> adminBases = new ArrayList<>();
        private final Map<String, String> endpoints = new LinkedHashMap<>();

        /** The admin servlet is mounted at {@code base} (such as {@code /admin/v1}). */
        public Mounts admin(String base) {
            adminBases.add(base.replaceAll("/+$", ""));
            return this;
        }

        /** The endpoint the document describes at {@code documentPath} is served at {@code requestPath}. */
        public Mounts endpoint(String requestPath, String documentPath) {
            endpoints.put(requestPath, documentPath);
            return this;
        }

        /** The example service's: the admin API at {@code /admin/v1}, the other endpoints where the document says. */
        public static Mounts example() {
            return new Mounts().admin("/admin/v1").endpoint("/oauth/token", "/oauth/token")
                    .endpoint("/.well-known/jwks.json", "/.well-known/jwks.json")
                    .endpoint("/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server")
                    .endpoint("/secret-scanning/github", "/secret-scanning/github");
        }

        /** The document path of a request path, or empty when the document does not speak of it. */
        Optional<String> documentPath(String rawPath) {
            String e = endpoints.get(rawPath);
            if (e != null) return Optional.of(e);
            return adminBases.stream().sorted(Comparator.comparingInt(String::length).reversed())
                    .filter(b -> rawPath.equals(b) || rawPath.startsWith(b + "/")).findFirst()
                    .map(b -> rawPath.substring(b.length()));
        }
    }

    /** {@code client}, its every answer checked against the document as it is received. */
    public static HttpClient checking(HttpClient client, Mounts mounts) {
        return new CheckedHttpClient(client, mounts);
    }

    /** Checks a JDK client's answer; does nothing for a path outside the mounts. */
    public void check(Mounts mounts, HttpResponse<String> r) {
        check(mounts, r.request().method(), r.uri().getRawPath(), r.statusCode(), n -> r.headers().firstValue(n).orElse(null),
                r.body() == null ? "" : r.body());
    }

    /**
     * Checks one answer: {@code rawPath} as it was sent (no query), {@code header} the answer's header by name (null
     * when absent), {@code body} as received (empty when none).
     */
    public void check(Mounts mounts, String method, String rawPath, int status, Function<String, String> header, String body) {
        Optional<String> path = mounts.documentPath(rawPath);
        if (path.isEmpty()) return;
        String m = method.toLowerCase(Locale.ROOT);
        Optional<String> template = template(path.get());
        String what = method + " " + rawPath;
        if (m.equals("trace")) {
            // Refused on every path, by the container in front of any servlet when the service says so (the document's
            // description): a 405 whose body is the container's.
            if (status != 405) fail(what + " answered " + status + ", not 405");
            return;
        }
        if (template.isEmpty()) {
            // Not a path of the document: the router's 404 (or a refusal of the caller first, by a filter in front).
            String where = "#/components/schemas/Problem";
            if (!Set.of(400, 401, 403, 404, 405).contains(status)) fail(what + " (no such path in the document) answered " + status);
            if (!m.equals("head")) content(what, status, "application/problem+json", where, header, body);
            return;
        }
        JsonNode item = doc.get("paths").get(template.get());
        String op = template.get();
        JsonNode response;
        String pointer;
        if (item.has(m)) {
            JsonNode operation = item.get(m);
            op = operation.path("operationId").asText(op) + " (" + method + " " + template.get() + ")";
            String code = Integer.toString(status);
            JsonNode responses = operation.get("responses");
            String key = responses.has(code) ? code : responses.has(code.charAt(0) + "XX") ? code.charAt(0) + "XX" : responses.has("default") ? "default" : null;
            if (key == null) fail(op + " answered " + status + ", which the document does not list for it (it lists " + names(responses) + "): " + body);
            pointer = "#/paths/" + escape(template.get()) + "/" + m + "/responses/" + key;
        } else {
            op = method + " " + template.get() + " (not an operation of the document)";
            if (status != 405) fail(op + " answered " + status + ", not 405: " + body);
            pointer = item.has("x-keys-other-methods") ? item.get("x-keys-other-methods").asText() : "#/components/responses/MethodNotAllowed";
        }
        // A response may be a $ref to components/responses.
        response = at(pointer);
        while (response.has("$ref")) {
            pointer = response.get("$ref").asText();
            response = at(pointer);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = response.path("headers").properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> h = it.next();
            JsonNode spec = h.getValue().has("$ref") ? at(h.getValue().get("$ref").asText()) : h.getValue();
            if (spec.path("required").asBoolean(false) && header.apply(h.getKey()) == null) {
                fail(op + " answered " + status + " without the header " + h.getKey() + " the document requires");
            }
        }
        JsonNode content = response.get("content");
        boolean empty = body == null || body.isEmpty();
        if (m.equals("head") || content == null) {
            if (!empty && !m.equals("head")) fail(op + " answered " + status + " with a body the document does not describe: " + body);
            return;
        }
        if (empty) fail(op + " answered " + status + " without the body the document describes");
        String type = header.apply("Content-Type");
        String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!content.has(media)) fail(op + " answered " + status + " as " + type + ", the document says " + names(content));
        if (!media.equals("application/json") && !media.endsWith("+json")) return; // a page or script: its type is the contract
        content(op, status, media, pointer + "/content/" + escape(media) + "/schema", header, body);
    }

    private void content(String op, int status, String media, String schemaPointer, Function<String, String> header, String body) {
        String type = header.apply("Content-Type");
        String actual = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!actual.equals(media)) fail(op + " answered " + status + " as " + type + ", the document says " + media + ": " + body);
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError(op + " answered " + status + " with a body that is not JSON: " + body, e);
        }
        List<Error> errors = schema(schemaPointer).validate(node);
        if (!errors.isEmpty()) {
            fail(op + " answered " + status + " with a body that does not validate against " + schemaPointer + ": "
                    + errors.stream().map(Error::toString).collect(Collectors.joining("; ")) + "\n  body: " + body);
        }
    }

    /** The schema at a JSON pointer of the document, compiled once. */
    public Schema schema(String pointer) {
        return schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(ID + p)));
    }

    /** The document path template a concrete path matches, literal segments winning over parameters. */
    Optional<String> template(String path) {
        String[] seg = path.split("/", -1);
        String best = null;
        int bestLiterals = -1;
        for (Iterator<String> it = doc.get("paths").fieldNames(); it.hasNext(); ) {
            String t = it.next();
            String[] ts = t.split("/", -1);
            if (ts.length != seg.length) continue;
            int literals = 0;
            boolean match = true;
            for (int i = 0; i < ts.length && match; i++) {
                if (ts[i].startsWith("{") && ts[i].endsWith("}")) match = !seg[i].isEmpty();
                else if (ts[i].equals(seg[i])) literals++;
                else match = false;
            }
            if (match && literals > bestLiterals) {
                best = t;
                bestLiterals = literals;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The methods the document lists for a path template, upper case. */
    public Set<String> methods(String template) {
        Set<String> out = new java.util.TreeSet<>();
        doc.get("paths").get(template).fieldNames().forEachRemaining(f -> {
            if (METHODS.contains(f)) out.add(f.toUpperCase(Locale.ROOT));
        });
        return out;
    }

    private JsonNode at(String pointer) {
        if (!pointer.startsWith("#")) throw new AssertionError("only local references are used: " + pointer);
        JsonNode n = doc.at(pointer.substring(1));
        if (n.isMissingNode()) throw new AssertionError("the document has nothing at " + pointer);
        return n;
    }

    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String names(JsonNode o) {
        List<String> n = new ArrayList<>();
        o.fieldNames().forEachRemaining(n::add);
        return n.toString();
    }

    private static void fail(String message) {
        throw new AssertionError("OpenAPI: " + message);
    }
}
