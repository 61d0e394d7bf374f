package dev.keys.api;

/** The outcome codes of a verification and the HTTP status each maps to (docs/contract.md §3). */
public enum Outcome {
    VALID(200, "Valid"),
    MISSING(401, "Missing credential"),
    MALFORMED(401, "Malformed credential"),
    NOT_FOUND(401, "Unknown key"),
    EXPIRED(401, "Expired key"),
    REVOKED(401, "Revoked key"),
    DISABLED(403, "Disabled key"),
    NOT_APPROVED(403, "Key not approved"),
    FORBIDDEN(403, "Forbidden"),
    INSUFFICIENT_PERMISSIONS(403, "Insufficient permissions"),
    RATE_LIMITED(429, "Rate limit exceeded"),
    USAGE_EXCEEDED(429, "Usage exceeded"),
    STORE_UNAVAILABLE(503, "Key store unavailable");

    private final int httpStatus;
    private final String title;

    Outcome(int httpStatus, String title) {
        this.httpStatus = httpStatus;
        this.title = title;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** A short human title, as used in problem+json answers. */
    public String title() {
        return title;
    }
}
