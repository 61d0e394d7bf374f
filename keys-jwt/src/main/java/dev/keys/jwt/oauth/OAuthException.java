package dev.keys.jwt.oauth;

import com.nimbusds.jose.util.JSONObjectUtils;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A token request refused with an RFC 6749 §5.2 error. The description is safe to send: it never holds a secret.
 * The servlet answers {@link #httpStatus()} with {@link #toJson()}, {@code Cache-Control: no-store}, and
 * {@link #wwwAuthenticate()} when present.
 */
public final class OAuthException extends RuntimeException {
    private final OAuthError error;
    private final String description;
    private final boolean basicAuthUsed;

    /**
     * @param basicAuthUsed whether the client authenticated (or tried to) with the {@code Authorization} header; only
     *                      then does an {@code invalid_client} carry a challenge (RFC 6749 §5.2)
     */
    public OAuthException(OAuthError error, String description, boolean basicAuthUsed) {
        super(error.code() + ": " + description, null, false, false);
        this.error = Objects.requireNonNull(error, "error");
        this.description = Objects.requireNonNull(description, "description");
        this.basicAuthUsed = basicAuthUsed;
    }

    public OAuthException(OAuthError error, String description) {
        this(error, description, false);
    }

    public OAuthError error() {
        return error;
    }

    public String description() {
        return description;
    }

    public int httpStatus() {
        return error.httpStatus();
    }

    /**
     * {@code Basic realm="oauth"} for {@code invalid_client} when the client used the {@code Authorization} header
     * (§5.2); empty for a client that sent its credentials in the form, or none: a challenge would make it retry with
     * Basic, and clients such as oauth4webapi report the challenge instead of the {@code invalid_client} error.
     */
    public Optional<String> wwwAuthenticate() {
        return error == OAuthError.INVALID_CLIENT && basicAuthUsed ? Optional.of("Basic realm=\"oauth\", charset=\"UTF-8\"") : Optional.empty();
    }

    /** {@code {"error": ..., "error_description": ...}}. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", error.code());
        m.put("error_description", description);
        return JSONObjectUtils.toJSONString(m);
    }
}
