package dev.keys.core.authz;

import java.util.Objects;

/** The result of {@link PathNormalizer#normalize}: a {@link Valid} path or a {@link Rejected} one. */
public sealed interface NormalizedPath permits NormalizedPath.Valid, NormalizedPath.Rejected {

    /**
     * A normalised path: starts with {@code /}, decoded, no empty, {@code .} or {@code ..} segment; a trailing
     * {@code /} is kept, as part of the path.
     */
    record Valid(String path) implements NormalizedPath {
        public Valid {
            Objects.requireNonNull(path, "path");
        }
    }

    /** A path that cannot be normalised safely; {@code reason} says why (safe to show: it holds no secret). */
    record Rejected(String reason) implements NormalizedPath {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
