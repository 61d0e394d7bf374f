package dev.keys.core.limit;

import dev.keys.api.Outcome;
import dev.keys.api.RateLimitStatus;
import dev.keys.api.UsageEvent;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The answer of {@link QuotaEnforcer#check}: admitted ({@link Outcome#VALID}) or {@link Outcome#USAGE_EXCEEDED}.
 *
 * @param detail            for a denial, a sentence safe to show the client ({@code daily quota of 1000 used},
 *                          {@code no remaining uses}); empty when admitted
 * @param retryAfterSeconds for a denial, whole seconds (at least 1) until the period or refill interval that lifts
 *                          it begins; 0 when admitted, and 0 for spent remaining uses without a refill, which waiting
 *                          never brings back (omit {@code Retry-After} then)
 * @param quota             the quota after this request, as a status named {@code quota}: its limit, the period in
 *                          seconds as window, the requests left and the seconds until the period ends
 * @param remainingUses     the remaining uses after this request, when the key is limited in uses
 * @param spent             when admitted, what the request counted and the counters after it (for usage sinks
 *                          and the early alerts)
 */
public record QuotaResult(Outcome outcome, String detail, long retryAfterSeconds, Optional<RateLimitStatus> quota,
                          OptionalLong remainingUses, Optional<UsageEvent.Spent> spent) {

    /** The result for a key with neither a quota nor remaining uses. */
    public static final QuotaResult UNLIMITED = new QuotaResult(Outcome.VALID, "", 0, Optional.empty(), OptionalLong.empty());

    public QuotaResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(remainingUses, "remainingUses");
        Objects.requireNonNull(spent, "spent");
        if (outcome != Outcome.VALID && outcome != Outcome.USAGE_EXCEEDED) throw new IllegalArgumentException("outcome must be VALID or USAGE_EXCEEDED");
    }

    public QuotaResult(Outcome outcome, String detail, long retryAfterSeconds, Optional<RateLimitStatus> quota, OptionalLong remainingUses) {
        this(outcome, detail, retryAfterSeconds, quota, remainingUses, Optional.empty());
    }

    public boolean admitted() {
        return outcome == Outcome.VALID;
    }
}
