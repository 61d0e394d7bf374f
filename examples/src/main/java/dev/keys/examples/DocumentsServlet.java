package dev.keys.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.security.Principal;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A demo resource, in memory: {@code GET /api/documents}, {@code GET /api/documents/{id}} and
 * {@code POST /api/documents}. It checks no permission itself: the filter's route table did, before the request
 * got here. It only reads who called, from the principal the filter set.
 */
final class DocumentsServlet extends HttpServlet {
    private static final int MAX_BODY = 16 * 1024;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Long, ObjectNode> documents = new ConcurrentSkipListMap<>();
    private final AtomicLong ids = new AtomicLong();

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String path = Optional.ofNullable(req.getPathInfo()).orElse("/");
        if (path.equals("/")) {
            ObjectNode page = json.createObjectNode();
            page.putArray("items").addAll(documents.values());
            write(res, 200, page);
            return;
        }
        ObjectNode doc = parseId(path.substring(1)).map(documents::get).orElse(null);
        if (doc == null) {
            problem(res, 404, "not-found", "Not found", "no document with this id");
            return;
        }
        write(res, 200, doc);
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (req.getPathInfo() != null && !req.getPathInfo().equals("/")) {
            res.setHeader("Allow", "GET");
            problem(res, 405, "method-not-allowed", "Method not allowed", "POST goes to /api/documents");
            return;
        }
        JsonNode body;
        try (InputStream in = req.getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                problem(res, 413, "payload-too-large", "Payload too large", "at most 16 KiB");
                return;
            }
            body = json.readTree(bytes);
        } catch (IOException e) {
            problem(res, 400, "invalid-request", "Invalid request", "the body is not JSON");
            return;
        }
        if (body == null || !body.isObject() || !body.path("title").isTextual() || body.path("title").asText().isBlank()) {
            problem(res, 400, "invalid-request", "Invalid request", "title: a non-empty string is required");
            return;
        }
        long id = ids.incrementAndGet();
        ObjectNode doc = json.createObjectNode();
        doc.put("id", Long.toString(id));
        doc.put("title", body.get("title").asText());
        doc.put("body", body.path("body").asText(""));
        Principal who = req.getUserPrincipal();
        doc.put("createdBy", who == null ? null : who.getName());
        doc.put("createdAt", Instant.now().toString());
        documents.put(id, doc);
        res.setHeader("Location", req.getRequestURI().replaceAll("/+$", "") + "/" + id);
        write(res, 201, doc);
    }

    private static Optional<Long> parseId(String s) {
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(Character::isDigit)) return Optional.empty();
        return Optional.of(Long.parseLong(s));
    }

    private void write(HttpServletResponse res, int status, JsonNode body) throws IOException {
        res.setStatus(status);
        res.setContentType("application/json");
        json.writeValue(res.getOutputStream(), body);
    }

    private void problem(HttpServletResponse res, int status, String type, String title, String detail) throws IOException {
        ObjectNode p = json.createObjectNode();
        p.put("type", "https://keys.dev/problems/" + type);
        p.put("title", title);
        p.put("status", status);
        p.put("detail", detail);
        res.setStatus(status);
        res.setContentType("application/problem+json");
        json.writeValue(res.getOutputStream(), p);
    }

    /** HttpServlet answers TRACE by echoing the request headers, the caller's key among them (cross-site tracing). */
    @Override
    protected void doTrace(HttpServletRequest req, HttpServletResponse res) {
        res.setHeader("Allow", "GET, HEAD, POST, OPTIONS");
        res.setStatus(405);
    }
}
