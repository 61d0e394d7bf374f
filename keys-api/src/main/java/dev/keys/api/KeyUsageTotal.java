package dev.keys.api;

import java.util.Objects;

/** One key's admitted verifications ({@code VALID}) over a period, for top-consumer reports. */
public record KeyUsageTotal(String keyId, String ownerId, long admitted) {
    public KeyUsageTotal {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(ownerId, "ownerId");
    }
}
