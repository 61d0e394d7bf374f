package dev.keys.servlet;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.api.KeyQuery;
import dev.keys.core.lifecycle.Actor;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static dev.keys.servlet.AdminJson.bad;

/**
 * One admin request, routed and authenticated: the {@code id} and {@code action} of its path, the {@link Actor}
 * who calls, and the reading of its query (through {@link FormData}) and its JSON body, and the sending of its
 * answer. Reading refuses before anything is written: unknown or repeated parameters, bodies too large, of another
 * media type, or not a JSON object.
 */
record AdminCall(KeyAdminServlet.Config config, HttpServletRequest req, HttpServletResponse res, String id, String action, Actor actor) {
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            // meta numbers kept as sent: never rounded to a double, 2.50 not stripped to 2.5
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    /** The caller's tenant: where its creations go by default. */
    String tenant() {
        return actor.tenant().orElseThrow();
    }

    /** Whether the request is a {@code method}; a {@code HEAD} is a {@code GET}. */
    boolean is(String method) {
        String m = req.getMethod();
        return m.equals(method) || (m.equals("HEAD") && method.equals("GET"));
    }

    /** The query parameters, each at most once; unknown ones answer 400. The credential parameter is ignored. */
    Map<String, String> query(String... allowed) {
        Set<String> known = Set.of(allowed);
        String credentialParam = config.callers().sources().queryParameter().orElse(null);
        List<FormData.Pair> pairs;
        try {
            pairs = FormData.parse(req.getQueryString());
        } catch (IllegalArgumentException e) {
            throw bad("query", "bad percent-encoding");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (FormData.Pair p : pairs) {
            String name = p.name();
            if (name.equals(credentialParam)) continue;
            if (!known.contains(name)) throw bad(JsonFields.BODY.name("", name), "unknown query parameter");
            if (out.put(name, p.value()) != null) throw bad(name, "given twice");
        }
        return out;
    }

    /** {@code limit} of a listing: 1 to {@value KeyQuery#MAX_LIMIT}, default 100. */
    static int limit(String text) {
        if (text == null) return 100;
        try {
            int l = Integer.parseInt(text);
            if (l >= 1 && l <= KeyQuery.MAX_LIMIT) return l;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw bad("limit", "must be an integer from 1 to " + KeyQuery.MAX_LIMIT);
    }

    /** The body as a JSON object; an empty body is an empty object unless one is {@code required}. */
    ObjectNode body(boolean required) throws IOException {
        return body(required, config.maxBodyBytes());
    }

    /** As {@link #body(boolean)}, with a bound of its own ({@code POST /keys/import}). */
    ObjectNode body(boolean required, int max) throws IOException {
        if (req.getContentLengthLong() > max) throw AdminRouter.Failure.tooLarge(max);
        byte[] bytes = req.getInputStream().readNBytes(max + 1);
        if (bytes.length > max) throw AdminRouter.Failure.tooLarge(max);
        if (bytes.length == 0) {
            if (required) throw bad("body", "a JSON object is required");
            return AdminViews.NODES.objectNode();
        }
        String type = req.getContentType();
        if (type != null) {
            String t = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!t.equals("application/json") && !t.endsWith("+json")) throw AdminRouter.Failure.mediaType();
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw bad("body", "not valid JSON" + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")"));
        } catch (IOException e) {
            // Bytes that look like UTF-16/32 but are not (CharConversionException): not JSON either, not a 500.
            throw bad("body", "not valid JSON");
        }
        if (node == null || !node.isObject()) throw bad("body", "must be a JSON object");
        return (ObjectNode) node;
    }

    void ok(JsonNode body) throws IOException {
        send(200, JSON.writeValueAsBytes(body));
    }

    /** 200 with a body already written as JSON. */
    void ok(byte[] json) throws IOException {
        send(200, json);
    }

    /** 201 with {@code Location} at {@code path} under the admin base. */
    void created(String path, JsonNode body) throws IOException {
        res.setHeader("Location", req.getContextPath() + req.getServletPath() + path);
        send(201, JSON.writeValueAsBytes(body));
    }

    /** 204, no body. */
    void noContent() {
        res.setStatus(204);
        res.setHeader("Cache-Control", "no-store");
    }

    private void send(int status, byte[] bytes) throws IOException {
        res.setStatus(status);
        res.setHeader("Cache-Control", "no-store");
        res.setContentType("application/json");
        res.setContentLength(bytes.length);
        if (req.getMethod().equals("HEAD")) return;
        try (OutputStream out = res.getOutputStream()) {
            out.write(bytes);
        }
    }
}
