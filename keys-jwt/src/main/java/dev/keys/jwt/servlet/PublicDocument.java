package dev.keys.jwt.servlet;

import dev.keys.servlet.Problem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;

/**
 * How the well-known documents (the key set, the server metadata) are answered: GET and HEAD only, JSON, cacheable
 * by anyone for {@code cacheControl}; any other method 405 problem+json with {@code Allow}.
 */
final class PublicDocument {
    private PublicDocument() {
    }

    static void serve(HttpServletRequest req, HttpServletResponse res, byte[] body, String cacheControl) throws IOException {
        String m = req.getMethod();
        if (!m.equals("GET") && !m.equals("HEAD")) {
            res.setHeader("Allow", "GET, HEAD");
            Problem.send(req, res, 405, Problem.METHOD_NOT_ALLOWED, "Method not allowed", m + " is not allowed here; use GET");
            return;
        }
        res.setStatus(200);
        res.setHeader("Cache-Control", cacheControl);
        res.setContentType("application/json");
        res.setContentLength(body.length);
        if (m.equals("HEAD")) return;
        try (OutputStream out = res.getOutputStream()) {
            out.write(body);
        }
    }
}
