package dev.keys.core.authz;

import dev.keys.api.Outcome;
import java.util.Objects;

/**
 * The answer of {@link KeyAuthz#check}: {@link #ALLOW} (a singleton, so an allowed request allocates nothing), or a
 * denial with its {@link Outcome} ({@code FORBIDDEN} for a failed condition, {@code INSUFFICIENT_PERMISSIONS} for an
 * unmet query) and a reason for the audit log and the problem detail. A reason names the condition or the missing
 * permission, never a secret.
 */
public final class Decision {

    public static final Decision ALLOW = new Decision(Outcome.VALID, "");

    private final Outcome outcome;
    private final String reason;

    private Decision(Outcome outcome, String reason) {
        this.outcome = outcome;
        this.reason = reason;
    }

    /** A failed condition. */
    public static Decision forbidden(String reason) {
        return new Decision(Outcome.FORBIDDEN, Objects.requireNonNull(reason, "reason"));
    }

    /** An unmet permission query. */
    public static Decision insufficientPermissions(String reason) {
        return new Decision(Outcome.INSUFFICIENT_PERMISSIONS, Objects.requireNonNull(reason, "reason"));
    }

    public boolean allowed() {
        return this == ALLOW;
    }

    /** {@code VALID} for {@link #ALLOW}. */
    public Outcome outcome() {
        return outcome;
    }

    /** Why the request was denied; empty for {@link #ALLOW}. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return allowed() ? "Decision[ALLOW]" : "Decision[" + outcome + ": " + reason + "]";
    }
}
