package dev.keys.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The admin API of docs/contract.md §5 over HTTP ({@code java.net.http}). Every failure, of the network or of the
 * service, becomes a {@link CliException} with one line that names what went wrong: the problem's {@code detail}
 * (and its first invalid field), never a stack trace. The admin key is only ever put in the header.
 */
final class AdminClient {
    /** Numbers as the server wrote them (a key's meta may hold any JSON value): never rounded to a double, nor 2.50 to 2.5. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    AdminClient(URI base, String adminKey) {
        this.base = base;
        this.authorization = "Bearer " + adminKey;
    }

    /**
     * The admin base from a URL as given: a URL with no path (or {@code /}) means the service's default base
     * {@code /admin/v1}; any other path is taken as the base itself.
     */
    static URI base(String url) {
        URI u;
        try {
            u = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--url: not a URL: " + url);
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
            throw CliException.usage("--url: must be an http or https URL, such as http://localhost:8080");
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        if (path.isEmpty() || path.equals("/")) path = "/admin/v1";
        if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        return URI.create(u.getScheme() + "://" + u.getRawAuthority() + path);
    }

    URI baseUri() {
        return base;
    }

    JsonNode get(String path, Map<String, String> query) {
        return send(HttpRequest.newBuilder(uri(path, query)).GET());
    }

    JsonNode post(String path, JsonNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw CliException.failure("cannot write the request body: " + e.getOriginalMessage());
        }
        return send(HttpRequest.newBuilder(uri(path, Map.of())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
    }

    /** Every item of a listing, following {@code nextCursor} from page to page. */
    List<JsonNode> all(String path, Map<String, String> query) {
        List<JsonNode> items = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, String> q = new java.util.LinkedHashMap<>(query);
            q.put("limit", "1000");
            if (cursor != null) q.put("cursor", cursor);
            JsonNode page = get(path, q);
            page.path("items").forEach(items::add);
            JsonNode next = page.path("nextCursor");
            cursor = next.isTextual() && !next.asText().isEmpty() ? next.asText() : null;
        } while (cursor != null);
        return items;
    }

    static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private URI uri(String path, Map<String, String> query) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((k, v) -> q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return URI.create(base + path + q);
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpRequest r = request.timeout(TIMEOUT).header("Authorization", authorization).header("Accept", "application/json").build();
        HttpResponse<byte[]> res;
        try {
            res = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw CliException.failure("cannot connect to " + base + " (is the service running? set --url or KEYS_URL)");
        } catch (HttpTimeoutException e) {
            throw CliException.failure("no answer from " + base + " within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw CliException.failure("cannot reach " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failure("interrupted");
        }
        JsonNode body = parse(res.body());
        if (res.statusCode() / 100 == 2) {
            if (body == null) throw CliException.failure(r.method() + " " + r.uri().getPath() + ": the answer is not JSON");
            return body;
        }
        throw CliException.failure(problem(res.statusCode(), body));
    }

    private static JsonNode parse(byte[] bytes) {
        if (bytes.length == 0) return JSON.createObjectNode();
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    /** One line from a problem+json answer: status, detail, and the first invalid field. */
    static String problem(int status, JsonNode body) {
        StringBuilder sb = new StringBuilder("the service answered ").append(status);
        if (body instanceof ObjectNode o) {
            String detail = o.path("detail").asText(o.path("title").asText(""));
            if (!detail.isEmpty()) sb.append(": ").append(detail);
            JsonNode first = o.path("errors").path(0);
            if (first.has("field") && !detail.contains(first.path("field").asText())) {
                sb.append(" (").append(first.path("field").asText()).append(": ").append(first.path("detail").asText()).append(')');
            }
        }
        if (status == 401) sb.append(" (check KEYS_ADMIN_KEY or --key-file)");
        return sb.toString();
    }
}
