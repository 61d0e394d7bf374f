package dev.keys.core.authz;

import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import java.time.Instant;

/** Test keys. */
final class Keys {
    private Keys() {
    }

    static ApiKey.Builder key() {
        Instant t = Instant.parse("2025-01-01T00:00:00Z");
        return ApiKey.builder().id("k1").prefix("sk_live").start("abcd").digest(new Digest(1, 2, 3, 4)).createdAt(t).updatedAt(t);
    }
}
