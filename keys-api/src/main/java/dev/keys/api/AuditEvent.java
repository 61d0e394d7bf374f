package dev.keys.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One lifecycle action on a key: who did what, to which key, when and why. Never holds a secret or a digest.
 *
 * @param action  {@code create}, {@code update}, {@code disable}, {@code enable}, {@code revoke}, {@code rotate},
 *                {@code session.start}, {@code session.end} (a dashboard sign-in and sign-out),
 *                {@code approve}, {@code reject} or {@code import}
 * @param actor   the key id of the admin caller, or {@code system}
 * @param changes field name to {@code [before, after]} as display strings
 */
public record AuditEvent(Instant at, String action, String actor, String tenant, String keyId, Optional<String> reason,
                         Map<String, java.util.List<String>> changes) {
    public AuditEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(reason, "reason");
        changes = Map.copyOf(changes);
    }
}
