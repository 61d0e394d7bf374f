package dev.keys.core.ops;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One alert: a rule fired for a key or a client in a window. Never holds a key's secret or digest; the message is
 * built from the rule, the key id, the client and the counts only.
 *
 * @param rule        the rule's name, e.g. {@code rate-limited}
 * @param kind        what kind of rule fired ({@link AlertRule#kind()}: {@code key-outcomes}, {@code quota-used},
 *                    {@code expiring}, ...), whatever its name
 * @param keyId       the key concerned, empty for rules about a client address
 * @param tenant      the key's tenant, empty when no key was matched
 * @param ownerId     the key's owner, where the rule knows it (the early alerts: remaining, quota, expiry)
 * @param client      the client address ({@code 203.0.113.7}) or network ({@code 203.0.113.0/24}) concerned
 * @param windowStart start of the window the count was taken in (inclusive)
 * @param windowEnd   end of the window (exclusive); for one-off rules the time of the event
 * @param count       events counted in the window (for unused keys: whole days unused; for the early alerts: the
 *                    same as {@code value})
 * @param threshold   the rule's threshold, in the unit of {@code value}
 * @param value       the value that passed it: the count, the remaining uses, the quota used, or the seconds until
 *                    expiry
 */
public record Alert(String rule, String kind, Optional<String> keyId, Optional<String> tenant, Optional<String> ownerId,
                    Optional<String> client, Instant windowStart, Instant windowEnd, long count, long threshold, long value,
                    String message) {
    public Alert {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(windowStart, "windowStart");
        Objects.requireNonNull(windowEnd, "windowEnd");
        Objects.requireNonNull(message, "message");
    }

    /** An alert of a component's own (e.g. {@code redis-down}): its kind is its rule, no owner, threshold 0, value the count. */
    public Alert(String rule, Optional<String> keyId, Optional<String> tenant, Optional<String> client,
                 Instant windowStart, Instant windowEnd, long count, String message) {
        this(rule, rule, keyId, tenant, Optional.empty(), client, windowStart, windowEnd, count, 0, count, message);
    }
}
