package dev.keys.servlet;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of the admin dashboard a {@link KeyAdminServlet} serves under its base at {@code ui/}
 * ({@code KeyAdminServlet.Builder.dashboard}): how long a sign-in session lasts, how many this process keeps, and
 * whether its cookie is {@code Secure} even on a plain-HTTP request (behind a proxy that ends TLS). See
 * docs/dashboard.md. Immutable.
 */
public final class Dashboard {
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(15), DEFAULT_LIFETIME = Duration.ofHours(8);
    public static final int DEFAULT_MAX_SESSIONS = 10_000;

    private final Duration idleTimeout, lifetime;
    private final int maxSessions;
    private final boolean alwaysSecure;

    private Dashboard(Builder b) {
        this.idleTimeout = b.idleTimeout;
        this.lifetime = b.lifetime;
        this.maxSessions = b.maxSessions;
        this.alwaysSecure = b.alwaysSecure;
    }

    /** 15 minutes idle, 8 hours at most, 10,000 sessions, {@code Secure} when the request is https. */
    public static Dashboard defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration lifetime() {
        return lifetime;
    }

    public int maxSessions() {
        return maxSessions;
    }

    public boolean alwaysSecure() {
        return alwaysSecure;
    }

    /** Configuration of a {@link Dashboard}. */
    public static final class Builder {
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT, lifetime = DEFAULT_LIFETIME;
        private int maxSessions = DEFAULT_MAX_SESSIONS;
        private boolean alwaysSecure;

        private Builder() {
        }

        /** A session without a request for this long ends. Default 15 minutes; 1 second to 24 hours. */
        public Builder idleTimeout(Duration d) {
            idleTimeout = bounded(d, "idleTimeout");
            return this;
        }

        /** A session ends this long after sign-in, however busy. Default 8 hours; 1 second to 24 hours. */
        public Builder lifetime(Duration d) {
            lifetime = bounded(d, "lifetime");
            return this;
        }

        /** At most this many sessions in this process; beyond, the one idle longest ends. Default 10,000. */
        public Builder maxSessions(int n) {
            if (n < 1) throw new IllegalArgumentException("maxSessions must be positive");
            maxSessions = n;
            return this;
        }

        /**
         * Marks the cookie {@code Secure} on every answer, not only on https requests: for a service behind a proxy
         * that ends TLS and forwards plain HTTP. Default off (the request's own scheme decides).
         */
        public Builder alwaysSecure(boolean on) {
            alwaysSecure = on;
            return this;
        }

        public Dashboard build() {
            return new Dashboard(this);
        }

        private static Duration bounded(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofHours(24)) > 0) {
                throw new IllegalArgumentException(name + " must be from 1 second to 24 hours");
            }
            return d;
        }
    }
}
