package dev.keys.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A filter on audit events: tenant, key, actions and a time range {@code [from, to)}, {@code limit} per page
 * (1 to 1000), continuing from an opaque cursor. Empty filters match everything.
 */
public record AuditQuery(Optional<String> tenant, Optional<String> keyId, Set<String> actions, Optional<Instant> from,
                         Optional<Instant> to, int limit, Optional<String> cursor) {
    public AuditQuery {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(keyId, "keyId");
        actions = Set.copyOf(actions);
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > 1000) throw new IllegalArgumentException("limit must be between 1 and 1000");
    }

    public static AuditQuery all(int limit) {
        return new AuditQuery(Optional.empty(), Optional.empty(), Set.of(), Optional.empty(), Optional.empty(), limit, Optional.empty());
    }

    public AuditQuery tenant(String t) { return new AuditQuery(Optional.of(t), keyId, actions, from, to, limit, cursor); }
    public AuditQuery keyId(String k) { return new AuditQuery(tenant, Optional.of(k), actions, from, to, limit, cursor); }
    public AuditQuery actions(Set<String> a) { return new AuditQuery(tenant, keyId, a, from, to, limit, cursor); }
    /** Events at or after {@code f} and before {@code t}. */
    public AuditQuery between(Instant f, Instant t) { return new AuditQuery(tenant, keyId, actions, Optional.of(f), Optional.of(t), limit, cursor); }
    public AuditQuery after(String c) { return new AuditQuery(tenant, keyId, actions, from, to, limit, Optional.of(c)); }
}
