package dev.keys.api;

/** The lifecycle state of a key. Expiry is not a status: it follows from {@code expiresAt} and the clock. */
public enum KeyStatus {
    ACTIVE, DISABLED, REVOKED, PENDING_APPROVAL, REJECTED
}
