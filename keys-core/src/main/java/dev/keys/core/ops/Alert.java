package dev.keys.core.ops;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One alert: a rule fired for a key or a client in a window. Never holds a key's secret or digest; the message is
 * built from the rule, the key id, the client and the counts only.
 *
 * @param rule        the rule's name, e.g. {@code rate-limited}
 * @param keyId       the key concerned, empty for rules about a client address
 * @param tenant      the key's tenant, empty when no key was matched
 * @param client      the client address ({@code 203.0.113.7}) or network ({@code 203.0.113.0/24}) concerned
 * @param windowStart start of the window the count was taken in (inclusive)
 * @param windowEnd   end of the window (exclusive); for one-off rules the time of the event
 * @param count       events counted in the window (for unused keys: whole days unused)
 */
public record Alert(String rule, Optional<String> keyId, Optional<String> tenant, Optional<String> client,
                    Instant windowStart, Instant windowEnd, long count, String message) {
    public Alert {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(windowStart, "windowStart");
        Objects.requireNonNull(windowEnd, "windowEnd");
        Objects.requireNonNull(message, "message");
    }
}
