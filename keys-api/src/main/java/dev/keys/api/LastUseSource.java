package dev.keys.api;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * When a key was last verified, for unused-key checks. Precision may be coarse (a store that counts usage per
 * minute answers the start of that minute) and may lag by one flush interval; callers compare against periods
 * of days.
 */
@FunctionalInterface
public interface LastUseSource {

    /** The last verification of the key, of any outcome, empty when none was seen. */
    Optional<Instant> lastUse(String keyId);

    /** The last use of each of these keys that was seen at all (keys never seen are left out). */
    default Map<String, Instant> lastUses(Collection<String> keyIds) {
        Map<String, Instant> out = new HashMap<>();
        for (String id : keyIds) lastUse(id).ifPresent(i -> out.put(id, i));
        return out;
    }
}
