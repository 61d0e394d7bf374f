package dev.keys.api;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A listing filter: by tenant and/or owner, by {@code status}, by a {@code search} text, {@code limit} per page (1
 * to 1000), from an opaque cursor. Every filter holds together, and the cursor (the last id of the previous page)
 * goes on under the same filters. {@link #matches} is the meaning every store must give them.
 *
 * @param search 1 to {@value #MAX_SEARCH} characters: a key matches when its name contains it ignoring case, or
 *               when its id or its {@code start} is exactly it
 */
public record KeyQuery(Optional<String> tenant, Optional<String> ownerId, int limit, Optional<String> cursor,
                       Optional<KeyStatus> status, Optional<String> search) {
    public static final int MAX_LIMIT = 1000;
    /** The longest search text: longer than any name worth typing, short enough to bound the scan's work. */
    public static final int MAX_SEARCH = 100;

    public KeyQuery {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(cursor, "cursor");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(search, "search");
        if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        if (search.isPresent() && (search.get().isEmpty() || search.get().length() > MAX_SEARCH)) {
            throw new IllegalArgumentException("search must be 1 to " + MAX_SEARCH + " characters");
        }
    }

    /** By tenant and owner only, any status, no search. */
    public KeyQuery(Optional<String> tenant, Optional<String> ownerId, int limit, Optional<String> cursor) {
        this(tenant, ownerId, limit, cursor, Optional.empty(), Optional.empty());
    }

    public static KeyQuery all(int limit) {
        return new KeyQuery(Optional.empty(), Optional.empty(), limit, Optional.empty());
    }

    /** This query narrowed to {@code tenant} and {@code ownerId}, its other filters and its cursor kept. */
    public KeyQuery within(Optional<String> tenant, Optional<String> ownerId) {
        return new KeyQuery(tenant, ownerId, limit, cursor, status, search);
    }

    /** Whether {@code k} passes every filter (the cursor and the limit aside). */
    public boolean matches(ApiKey k) {
        if (tenant.isPresent() && !tenant.get().equals(k.tenant())) return false;
        if (ownerId.isPresent() && !ownerId.get().equals(k.ownerId())) return false;
        if (status.isPresent() && status.get() != k.status()) return false;
        if (search.isEmpty()) return true;
        String s = search.get();
        return k.id().equals(s) || k.start().equals(s) || k.name().toLowerCase(Locale.ROOT).contains(s.toLowerCase(Locale.ROOT));
    }
}
