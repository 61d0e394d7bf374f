package dev.keys.api;

import java.util.Objects;
import java.util.Optional;

/** A listing filter: by tenant and/or owner, {@code limit} per page (1 to 1000), from an opaque cursor. */
public record KeyQuery(Optional<String> tenant, Optional<String> ownerId, int limit, Optional<String> cursor) {
    public static final int MAX_LIMIT = 1000;

    public KeyQuery {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
    }

    public static KeyQuery all(int limit) {
        return new KeyQuery(Optional.empty(), Optional.empty(), limit, Optional.empty());
    }
}
