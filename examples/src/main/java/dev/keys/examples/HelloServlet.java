package dev.keys.examples;

import dev.keys.servlet.ApiKeyPrincipal;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One servlet at {@code /hello} (open) and {@code /api/hello} (behind the filter): the two answer the same bytes
 * but for the caller's name, made the same way on both paths, so that the benchmark compares the filter and nothing
 * else.
 */
final class HelloServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String name = req.getUserPrincipal() instanceof ApiKeyPrincipal p ? p.key().ownerId() : "world";
        byte[] body = ("hello, " + name + "\n").getBytes(StandardCharsets.UTF_8);
        res.setContentType("text/plain;charset=utf-8");
        res.setContentLength(body.length);
        res.getOutputStream().write(body);
    }

    /** HttpServlet answers TRACE by echoing the request headers, the caller's key among them (cross-site tracing). */
    @Override
    protected void doTrace(HttpServletRequest req, HttpServletResponse res) {
        res.setHeader("Allow", "GET, HEAD, OPTIONS");
        res.setStatus(405);
    }
}
