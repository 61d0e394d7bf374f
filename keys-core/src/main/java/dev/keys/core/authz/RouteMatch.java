package dev.keys.core.authz;

import java.util.Objects;

/**
 * The answer of {@link RouteTable#match}: the first {@link Matched} route, {@link NoMatch} (denied by default, or
 * allowed with no requirement when the table is configured so), or {@link BadPath} for a path that cannot be
 * normalised safely (answer 400, or deny). {@code Matched} and {@code NoMatch} are preallocated.
 */
public sealed interface RouteMatch permits RouteMatch.Matched, RouteMatch.NoMatch, RouteMatch.BadPath {

    record Matched(Route route) implements RouteMatch {
        public Matched {
            Objects.requireNonNull(route, "route");
        }

        public Requirement requirement() {
            return route.requirement();
        }
    }

    /** No route matched; {@code allowed} when the table lets unmatched requests through (with {@link Requirement#NONE}). */
    record NoMatch(boolean allowed) implements RouteMatch {
        public static final NoMatch DENIED = new NoMatch(false);
        public static final NoMatch ALLOWED = new NoMatch(true);

        /** {@link Requirement#NONE} when allowed, else {@link Requirement#UNMATCHED}. */
        public Requirement requirement() {
            return allowed ? Requirement.NONE : Requirement.UNMATCHED;
        }
    }

    /** The path was rejected by {@link PathNormalizer}; {@code reason} says why. */
    record BadPath(String reason) implements RouteMatch {
        public BadPath {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
