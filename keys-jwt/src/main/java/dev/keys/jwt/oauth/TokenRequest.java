package dev.keys.jwt.oauth;

import dev.keys.servlet.FormData;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed token request: the {@code application/x-www-form-urlencoded} body of {@code POST /oauth/token} and
 * its optional HTTP Basic {@code Authorization} header ({@code BasicCredentials}; RFC 6749 §2.3.1, §4.4.2).
 * {@link #toString()} leaves the secret out.
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
            String basicPart = BasicCredentials.basicPart(authorization.get());
            if (secret.isPresent())
                throw new OAuthException(OAuthError.INVALID_REQUEST, "client credentials were given both in the Authorization header and in the body");
            BasicCredentials credentials = BasicCredentials.decode(basicPart);
            if (id.isPresent() && !id.get().equals(credentials.clientId()))
                throw new OAuthException(OAuthError.INVALID_REQUEST, "client_id in the body differs from the Authorization header");
            id = Optional.of(credentials.clientId());
            secret = Optional.of(credentials.clientSecret());
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
