package dev.keys.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's files, read once from this jar ({@code dev/keys/servlet/ui/}): plain HTML, CSS and JavaScript
 * modules, no build step and nothing from another origin, so that {@code Content-Security-Policy: default-src 'self'}
 * holds with no exception (no inline script or style anywhere). Only the files named here are served; each answer
 * carries an {@code ETag} and {@code Cache-Control: no-cache}, so that a browser revalidates and never runs a stale
 * page against a newer API.
 */
final class DashboardAssets {
    static final String CSP = "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.css", "text/css; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "api.js", "text/javascript; charset=utf-8",
            "dom.js", "text/javascript; charset=utf-8",
            "keys.js", "text/javascript; charset=utf-8",
            "detail.js", "text/javascript; charset=utf-8",
            "chart.js", "text/javascript; charset=utf-8",
            "dialogs.js", "text/javascript; charset=utf-8");
    private static final Map<String, Asset> ASSETS = load();

    private record Asset(byte[] bytes, String type, String etag) {
    }

    private DashboardAssets() {
    }

    private static Map<String, Asset> load() {
        Map<String, Asset> out = new LinkedHashMap<>();
        TYPES.forEach((name, type) -> {
            try (InputStream in = DashboardAssets.class.getResourceAsStream("ui/" + name)) {
                if (in == null) throw new IllegalStateException("dashboard asset missing from the jar: " + name);
                byte[] b = in.readAllBytes();
                String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b), 0, 16) + "\"";
                out.put(name, new Asset(b, type, etag));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
        return Map.copyOf(out);
    }

    /** The headers of every answer under {@code ui/}. */
    static void securityHeaders(HttpServletResponse res) {
        res.setHeader("Content-Security-Policy", CSP);
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setHeader("X-Frame-Options", "DENY");
        res.setHeader("Referrer-Policy", "no-referrer");
    }

    /** {@code name} is the path below {@code ui/}; empty is the page. */
    static void serve(HttpServletRequest req, HttpServletResponse res, String name) throws IOException {
        Asset a = ASSETS.get(name.isEmpty() ? "index.html" : name);
        if (a == null) throw AdminRouter.Failure.noRoute();
        String m = req.getMethod();
        if (!m.equals("GET") && !m.equals("HEAD")) throw AdminRouter.Failure.method(m, "GET, HEAD");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("ETag", a.etag);
        if (a.etag.equals(req.getHeader("If-None-Match"))) {
            res.setStatus(304);
            return;
        }
        res.setStatus(200);
        res.setContentType(a.type);
        res.setContentLength(a.bytes.length);
        if (m.equals("HEAD")) return;
        try (OutputStream out = res.getOutputStream()) {
            out.write(a.bytes);
        }
    }
}
