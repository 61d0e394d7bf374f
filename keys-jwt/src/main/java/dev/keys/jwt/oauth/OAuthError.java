package dev.keys.jwt.oauth;

/** The error codes of RFC 6749 §5.2 that the client-credentials grant can answer, with their HTTP status. */
public enum OAuthError {
    INVALID_REQUEST("invalid_request", 400),
    /** Client authentication failed; 401, with {@code WWW-Authenticate} only when the client used the Authorization header. */
    INVALID_CLIENT("invalid_client", 401),
    UNAUTHORIZED_CLIENT("unauthorized_client", 400),
    UNSUPPORTED_GRANT_TYPE("unsupported_grant_type", 400),
    INVALID_SCOPE("invalid_scope", 400);

    private final String code;
    private final int httpStatus;

    OAuthError(String code, int httpStatus) {
        this.code = code;
        this.httpStatus = httpStatus;
    }

    /** The {@code error} value on the wire. */
    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
