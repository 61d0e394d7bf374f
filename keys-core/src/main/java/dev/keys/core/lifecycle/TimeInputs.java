package dev.keys.core.lifecycle;

import dev.keys.api.ApiKey;
import dev.keys.api.Clock;
import dev.keys.api.RateLimit;
import dev.keys.api.Refill;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The instants and durations a caller gives the managers, held to docs/contract.md §3 (1970 to 9999, durations up
 * to 100 years) before anything is written; each refusal names the field as the admin API does.
 */
final class TimeInputs {
    private TimeInputs() {
    }

    static void expiresAt(Optional<Instant> v) {
        v.ifPresent(i -> Clock.requireInRange(i, "expiresAt"));
    }

    static void ratelimits(List<RateLimit> v) {
        for (int i = 0; i < v.size(); i++) Clock.requireInRange(v.get(i).duration(), "ratelimits[" + i + "].duration", true);
    }

    static void refill(Optional<Refill> v) {
        v.ifPresent(r -> Clock.requireInRange(r.interval(), "refill.interval", true));
    }

    /**
     * The fields a change gives anew. Those it leaves as they were are not judged again, so that a key stored before
     * these bounds can still be renamed or revoked.
     */
    static void changed(ApiKey current, ApiKey next) {
        if (!Objects.equals(current.expiresAt(), next.expiresAt())) expiresAt(next.expiresAt());
        if (!current.ratelimits().equals(next.ratelimits())) ratelimits(next.ratelimits());
        if (!current.refill().equals(next.refill())) refill(next.refill());
    }
}
