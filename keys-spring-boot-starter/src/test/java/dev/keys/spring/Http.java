package dev.keys.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/** A JDK HTTP client against an application on a real port, and the checks every keys answer must pass. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final int port;

    Http(int port) {
        this.port = port;
    }

    /** A response as received. */
    record Answer(int status, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) b.headers(headers);
        return b;
    }

    Answer send(HttpRequest request) {
        try {
            HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Answer get(String path, String... headers) {
        return send(request(path, headers).GET().build());
    }

    Answer options(String path, String... headers) {
        return send(request(path, headers).method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
    }

    Answer post(String path, String json, String... headers) {
        return send(request(path, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    static String bearer(String key) {
        return "Bearer " + key;
    }

    /** The answer is keys' problem+json for this code (docs/contract.md §3), with its members and request id. */
    static JsonNode problem(Answer a, int status, String code) {
        assertEquals(status, a.status(), a.body());
        assertEquals("application/problem+json", a.header("Content-Type"), a.body());
        JsonNode b = a.json();
        assertEquals(new TreeSet<>(List.of("type", "title", "status", "detail", "code", "requestId")),
                new TreeSet<>(iterate(b.fieldNames())), a.body());
        assertEquals(code, b.get("code").asText());
        assertEquals(status, b.get("status").asInt());
        assertEquals(b.get("requestId").asText(), a.header("X-Request-Id"));
        return b;
    }

    private static List<String> iterate(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /**
     * A CORS preflight for {@code path} passes the filter to the application's CORS handling, and a cross-origin
     * request without a key is denied with the CORS headers the application configured for {@code origin}.
     *
     * @return the denial
     */
    Answer assertPreflightPassesAndDenialCarriesCors(String path, String origin) {
        Answer pre = options(path, "Origin", origin, "Access-Control-Request-Method", "GET",
                "Access-Control-Request-Headers", "authorization, x-api-key");
        assertEquals(200, pre.status(), pre.body());
        assertEquals(origin, pre.header("Access-Control-Allow-Origin"));
        Answer denied = get(path, "Origin", origin);
        problem(denied, 401, "MISSING");
        assertEquals(origin, denied.header("Access-Control-Allow-Origin"));
        return denied;
    }

    /** A key limited to 2 requests a minute ({@code burst}) passes twice with the RateLimit fields, then answers 429. */
    void assertTwoPassThenRateLimited(String path, String key) {
        Answer first = get(path, "X-API-Key", key);
        assertEquals(200, first.status(), first.body());
        assertEquals("\"burst\";q=2;w=60", first.header("RateLimit-Policy"));
        assertEquals(200, get(path, "X-API-Key", key).status());
        Answer limited = get(path, "X-API-Key", key);
        problem(limited, 429, "RATE_LIMITED");
        assertTrue(Long.parseLong(limited.header("Retry-After")) > 0);
        assertEquals("\"burst\";q=2;w=60", limited.header("RateLimit-Policy"));
        assertTrue(limited.header("RateLimit").startsWith("\"burst\";r=0;t="), limited.header("RateLimit"));
    }

    /** Creates a key through the admin API and returns its answer ({@code keyId}, {@code key}). */
    JsonNode createKey(String adminKey, String body) {
        Answer a = post("/admin/v1/keys", body, "Authorization", bearer(adminKey));
        assertEquals(201, a.status(), a.body());
        return a.json();
    }
}
