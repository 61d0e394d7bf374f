package dev.keys.jwt.oauth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import dev.keys.servlet.FormData;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed token request: the {@code application/x-www-form-urlencoded} body of {@code POST /oauth/token} and
 * its optional HTTP Basic {@code Authorization} header (RFC 6749 §2.3.1, §4.4.2). {@link #toString()} leaves the
 * secret out.
 *
 * @param basicAuth whether the credentials came in the {@code Authorization} header
 */
public record TokenRequest(Optional<String> grantType, Optional<String> clientId, Optional<String> clientSecret,
                           Optional<String> scope, boolean basicAuth) {
    /** Longest accepted body, in characters. */
    public static final int MAX_BODY = 8 * 1024;

    public TokenRequest {
        Objects.requireNonNull(grantType, "grantType");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(scope, "scope");
    }

    /**
     * Parses a body and an optional {@code Authorization} header value.
     *
     * @throws OAuthException {@code invalid_request} for a malformed body, a repeated parameter, credentials given
     *                        both in the header and the body, or a malformed Basic header; {@code invalid_client} for
     *                        an authentication scheme other than Basic
     */
    public static TokenRequest parse(String formBody, Optional<String> authorization) {
        Map<String, String> form = form(formBody == null ? "" : formBody);
        Optional<String> id = Optional.ofNullable(form.get("client_id"));
        Optional<String> secret = Optional.ofNullable(form.get("client_secret"));
        boolean basic = false;
        if (authorization.isPresent()) {
            String h = authorization.get().trim();
            int sp = h.indexOf(' ');
            String scheme = sp < 0 ? h : h.substring(0, sp);
            if (!scheme.toLowerCase(Locale.ROOT).equals("basic"))
                throw new OAuthException(OAuthError.INVALID_CLIENT, "only HTTP Basic or form parameters authenticate a client");
            if (secret.isPresent())
                throw new OAuthException(OAuthError.INVALID_REQUEST, "client credentials were given both in the Authorization header and in the body");
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(h.substring(sp + 1).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
                throw new OAuthException(OAuthError.INVALID_REQUEST, "malformed HTTP Basic credentials");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) throw new OAuthException(OAuthError.INVALID_REQUEST, "malformed HTTP Basic credentials");
            String basicId = decode(decoded.substring(0, colon)), basicSecret = decode(decoded.substring(colon + 1));
            if (id.isPresent() && !id.get().equals(basicId))
                throw new OAuthException(OAuthError.INVALID_REQUEST, "client_id in the body differs from the Authorization header");
            id = Optional.of(basicId);
            secret = Optional.of(basicSecret);
            basic = true;
        }
        return new TokenRequest(Optional.ofNullable(form.get("grant_type")), id, secret, Optional.ofNullable(form.get("scope")), basic);
    }

    private static Map<String, String> form(String body) {
        if (body.length() > MAX_BODY) throw new OAuthException(OAuthError.INVALID_REQUEST, "request body too large");
        Map<String, String> out = new LinkedHashMap<>();
        List<FormData.Pair> pairs;
        try {
            pairs = FormData.parse(body);
        } catch (IllegalArgumentException e) {
            throw new OAuthException(OAuthError.INVALID_REQUEST, "malformed form encoding");
        }
        for (FormData.Pair p : pairs) {
            if (out.put(p.name(), p.value()) != null)
                throw new OAuthException(OAuthError.INVALID_REQUEST, "parameter " + safeName(p.name()) + " is repeated");
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new OAuthException(OAuthError.INVALID_REQUEST, "malformed form encoding");
        }
    }

    /** Only known names are echoed, so that a description never reflects arbitrary (possibly secret) input. */
    private static String safeName(String name) {
        return switch (name) {
            case "grant_type", "client_id", "client_secret", "scope" -> name;
            default -> "(unnamed)";
        };
    }

    @Override
    public String toString() {
        return "TokenRequest[grantType=" + grantType + ", clientId=" + clientId + ", clientSecret=" + (clientSecret.isPresent() ? "<redacted>" : "none")
                + ", scope=" + scope + ", basicAuth=" + basicAuth + "]";
    }
}
