package dev.keys.jwt.servlet;

import dev.keys.jwt.SigningKeys;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code GET /.well-known/jwks.json}: the public signing keys of a {@link SigningKeys} keyring (RFC 7517 §5), read
 * live so that a rotation is published at once; retired keys stay until their last token expires. Private parts
 * are never written. Cached by clients for a short {@code max-age} (default 60 s): a verifier that meets a new
 * {@code kid} before its copy expires refetches anyway.
 */
public final class JwksServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient SigningKeys keys;
    private final String cacheControl;

    private JwksServlet(SigningKeys keys, Duration maxAge) {
        this.keys = keys;
        this.cacheControl = "public, max-age=" + maxAge.getSeconds();
    }

    /** Publishes {@code keys} with {@code Cache-Control: public, max-age=60}. */
    public static JwksServlet of(SigningKeys keys) {
        return of(keys, Duration.ofSeconds(60));
    }

    public static JwksServlet of(SigningKeys keys, Duration maxAge) {
        Objects.requireNonNull(keys, "keys");
        if (maxAge.isNegative()) throw new IllegalArgumentException("maxAge must not be negative");
        return new JwksServlet(keys, maxAge);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        PublicDocument.serve(req, res, keys.jwks().getBytes(StandardCharsets.UTF_8), cacheControl);
    }
}
