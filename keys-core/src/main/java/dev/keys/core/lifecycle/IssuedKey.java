package dev.keys.core.lifecycle;

import dev.keys.api.ApiKey;

import java.util.Objects;

/**
 * A key just issued: the stored key and its plaintext, which exists nowhere else. Show it to its owner once and
 * drop it. {@link #toString()} leaves the plaintext out.
 */
public record IssuedKey(ApiKey key, String plaintext) {
    public IssuedKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(plaintext, "plaintext");
    }

    @Override
    public String toString() {
        return "IssuedKey[key=" + key + ", plaintext=<redacted>]";
    }
}
