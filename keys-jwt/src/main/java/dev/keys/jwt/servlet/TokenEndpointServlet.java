package dev.keys.jwt.servlet;

import dev.keys.core.internal.JsonText;


import dev.keys.api.StoreException;
import dev.keys.jwt.oauth.OAuthError;
import dev.keys.jwt.oauth.OAuthException;
import dev.keys.jwt.oauth.TokenRequest;
import dev.keys.jwt.oauth.TokenResponse;
import dev.keys.jwt.oauth.TokenService;
import dev.keys.servlet.Problem;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The token endpoint of the client-credentials grant, {@code POST /oauth/token} (RFC 6749 §4.4): reads the form
 * body and the optional HTTP Basic header, hands them to {@link TokenService#handle(String, Optional)}, and answers
 * {@code 200 {access_token, token_type, expires_in, scope}} or an RFC 6749 §5.2 error, both with
 * {@code Cache-Control: no-store} and {@code Pragma: no-cache}.
 *
 * <p>What is refused before the service sees anything: a method other than POST (405), a body that is not
 * {@code application/x-www-form-urlencoded} (400 {@code invalid_request}), a body larger than the limit (413), a
 * query string (400: credentials must never travel in a URL, RFC 6749 §2.3.1), and two {@code Authorization}
 * headers (400). A 401 {@code invalid_client} carries {@code WWW-Authenticate: Basic} when the client used the
 * {@code Authorization} header, and no challenge when it sent its credentials in the form (RFC 6749 §5.2). The answer is the only
 * place a token ever appears; nothing here logs a token, a secret or the body.
 */
public final class TokenEndpointServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger("dev.keys.jwt");

    private final transient TokenService tokens;
    private final int maxBodyBytes;
    private final long retryAfterSeconds;

    private TokenEndpointServlet(Builder b) {
        this.tokens = b.tokens;
        this.maxBodyBytes = b.maxBodyBytes;
        this.retryAfterSeconds = b.retryAfterSeconds;
    }

    public static Builder builder(TokenService tokens) {
        return new Builder(tokens);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (!"POST".equals(req.getMethod())) {
            res.setHeader("Allow", "POST");
            error(req, res, 405, "invalid_request", "the token endpoint accepts POST only");
            return;
        }
        String type = req.getContentType();
        String mediaType = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/x-www-form-urlencoded")) {
            error(req, res, 400, OAuthError.INVALID_REQUEST.code(), "the body must be application/x-www-form-urlencoded");
            return;
        }
        if (req.getQueryString() != null && !req.getQueryString().isEmpty()) {
            error(req, res, 400, OAuthError.INVALID_REQUEST.code(), "parameters must be sent in the body, never in the URL");
            return;
        }
        List<String> authorization = Collections.list(req.getHeaders("Authorization"));
        if (authorization.size() > 1) {
            error(req, res, 400, OAuthError.INVALID_REQUEST.code(), "the request carries more than one Authorization header");
            return;
        }
        long declared = req.getContentLengthLong();
        byte[] body = declared > maxBodyBytes ? null : readAtMost(req.getInputStream(), maxBodyBytes + 1);
        if (body == null || body.length > maxBodyBytes) {
            res.setHeader("Connection", "close");
            error(req, res, 413, OAuthError.INVALID_REQUEST.code(), "the body is larger than " + maxBodyBytes + " bytes");
            return;
        }
        TokenResponse answer;
        try {
            answer = tokens.handle(new String(body, StandardCharsets.UTF_8), authorization.stream().findFirst());
        } catch (OAuthException e) {
            e.wwwAuthenticate().ifPresent(challenge -> res.setHeader("WWW-Authenticate", challenge));
            send(req, res, e.httpStatus(), e.toJson());
            return;
        } catch (StoreException.Unavailable e) {
            res.setHeader("Retry-After", Long.toString(retryAfterSeconds));
            error(req, res, 503, "temporarily_unavailable", "the client store is unavailable");
            return;
        } catch (RuntimeException e) {
            // The exception's class only: its message or cause could quote the request.
            LOG.log(System.Logger.Level.WARNING, "keys token endpoint: request failed with {0}", e.getClass().getName());
            error(req, res, 500, "server_error", "the request failed; the server log has the details");
            return;
        }
        send(req, res, 200, answer.toJson());
    }

    private static byte[] readAtMost(InputStream in, int limit) throws IOException {
        return in.readNBytes(limit);
    }

    private static void error(HttpServletRequest req, HttpServletResponse res, int status, String code, String description) throws IOException {
        StringBuilder sb = new StringBuilder(64 + description.length());
        sb.append("{\"error\":");
        JsonText.appendString(sb, code);
        sb.append(",\"error_description\":");
        JsonText.appendString(sb, description);
        sb.append('}');
        send(req, res, status, sb.toString());
    }

    private static void send(HttpServletRequest req, HttpServletResponse res, int status, String json) throws IOException {
        Problem.closeIfBodyUnread(req, res); // an error before the body was read
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        res.setStatus(status);
        res.setHeader("Cache-Control", "no-store");
        res.setHeader("Pragma", "no-cache");
        res.setContentType("application/json;charset=UTF-8");
        res.setContentLength(bytes.length);
        try (OutputStream out = res.getOutputStream()) {
            out.write(bytes);
        }
    }

    /** Configuration of a {@link TokenEndpointServlet}. */
    public static final class Builder {
        private final TokenService tokens;
        private int maxBodyBytes = TokenRequest.MAX_BODY;
        private long retryAfterSeconds = 1;

        private Builder(TokenService tokens) {
            this.tokens = Objects.requireNonNull(tokens, "tokens");
        }

        /** Larger bodies answer 413. Default and maximum 8 KiB (the service refuses more). */
        public Builder maxBodyBytes(int n) {
            if (n < 1 || n > TokenRequest.MAX_BODY) throw new IllegalArgumentException("maxBodyBytes must be 1 to " + TokenRequest.MAX_BODY);
            maxBodyBytes = n;
            return this;
        }

        /** {@code Retry-After} of a 503 when the client store is down. Default 1 s. */
        public Builder retryAfter(java.time.Duration d) {
            retryAfterSeconds = Math.max(1, (d.toMillis() + 999) / 1000);
            return this;
        }

        public TokenEndpointServlet build() {
            return new TokenEndpointServlet(this);
        }
    }
}
