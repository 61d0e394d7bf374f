package dev.keys.jwt.oauth;

import com.nimbusds.jose.util.JSONObjectUtils;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A successful token answer (RFC 6749 §5.1): sent as {@link #toJson()} with {@code Cache-Control: no-store}.
 * {@link #toString()} leaves the token out.
 *
 * @param expiresIn seconds until the token expires
 * @param scope     the granted scope, space-separated (may be empty)
 * @param jti       the token's id, for revocation in a {@code JtiDenyList} and for audit
 */
public record TokenResponse(String accessToken, String tokenType, long expiresIn, String scope, String jti) {
    public TokenResponse {
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(tokenType, "tokenType");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(jti, "jti");
    }

    /** {@code {"access_token", "token_type": "Bearer", "expires_in", "scope"}}. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("access_token", accessToken);
        m.put("token_type", tokenType);
        m.put("expires_in", expiresIn);
        m.put("scope", scope);
        return JSONObjectUtils.toJSONString(m);
    }

    @Override
    public String toString() {
        return "TokenResponse[accessToken=<redacted>, tokenType=" + tokenType + ", expiresIn=" + expiresIn + ", scope=" + scope + ", jti=" + jti + "]";
    }
}
