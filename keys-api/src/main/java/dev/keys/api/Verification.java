package dev.keys.api;

import java.util.Objects;
import java.util.Optional;

/** The result of verifying a credential: {@link Valid} or {@link Denied}. Never carries the plaintext key. */
public sealed interface Verification permits Verification.Valid, Verification.Denied {

    Outcome outcome();

    default boolean isValid() {
        return this instanceof Valid;
    }

    /** The key as stored (never the secret), and the state of its rate limits after this request. */
    record Valid(ApiKey key, RateLimitReport rateLimits) implements Verification {
        public Valid {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(rateLimits, "rateLimits");
        }

        @Override
        public Outcome outcome() {
            return Outcome.VALID;
        }
    }

    /**
     * A denial. {@code detail} is safe to show the client (it never holds the key); {@code key} is present when the
     * credential matched a stored key (for audit and usage); {@code rateLimits} explains a 429.
     */
    record Denied(Outcome outcome, String detail, Optional<ApiKey> key, RateLimitReport rateLimits) implements Verification {
        public Denied {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(rateLimits, "rateLimits");
            if (outcome == Outcome.VALID) throw new IllegalArgumentException("a denial cannot be VALID");
        }

        public Denied(Outcome outcome, String detail) {
            this(outcome, detail, Optional.empty(), RateLimitReport.NONE);
        }

        public Denied(Outcome outcome, String detail, ApiKey key) {
            this(outcome, detail, Optional.of(key), RateLimitReport.NONE);
        }
    }
}
