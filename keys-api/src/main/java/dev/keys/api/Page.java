package dev.keys.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A page of results and the opaque cursor of the next page, empty on the last. */
public record Page<T>(List<T> items, Optional<String> nextCursor) {
    public Page {
        items = List.copyOf(items);
        Objects.requireNonNull(nextCursor, "nextCursor");
    }
}
