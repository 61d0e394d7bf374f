package dev.keys.jwt.oauth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Client credentials from an HTTP Basic {@code Authorization} header (RFC 6749 §2.3.1): base64 of
 * {@code client_id:client_secret}, each form-urlencoded. {@link #toString()} leaves the secret out.
 */
record BasicCredentials(String clientId, String clientSecret) {
    /**
     * The credentials part of an {@code Authorization} header, once its scheme is known to be Basic.
     *
     * @throws OAuthException {@code invalid_client} for any other scheme, with the Basic challenge: the client tried
     *                        the {@code Authorization} header, so it is told the scheme that works there
     */
    static String basicPart(String authorization) {
        String h = authorization.trim();
        int sp = h.indexOf(' ');
        String scheme = sp < 0 ? h : h.substring(0, sp);
        if (!scheme.toLowerCase(Locale.ROOT).equals("basic"))
            throw new OAuthException(OAuthError.INVALID_CLIENT, "only HTTP Basic or form parameters authenticate a client", true);
        return h.substring(sp + 1).trim();
    }

    /**
     * Decodes the {@link #basicPart} of a header.
     *
     * @throws OAuthException {@code invalid_request} for malformed credentials
     */
    static BasicCredentials decode(String basicPart) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(basicPart), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new OAuthException(OAuthError.INVALID_REQUEST, "malformed HTTP Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) throw new OAuthException(OAuthError.INVALID_REQUEST, "malformed HTTP Basic credentials");
        return new BasicCredentials(formDecode(decoded.substring(0, colon)), formDecode(decoded.substring(colon + 1)));
    }

    private static String formDecode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new OAuthException(OAuthError.INVALID_REQUEST, "malformed form encoding");
        }
    }

    @Override
    public String toString() {
        return "BasicCredentials[clientId=" + clientId + ", clientSecret=<redacted>]";
    }
}
