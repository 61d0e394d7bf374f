package dev.keys.core.ops;

import dev.keys.api.UsageEvent;

import java.time.Instant;
import java.util.Optional;

/**
 * The early alerts on what admitted requests spend ({@link AlertRule#remainingBelow}, {@link AlertRule#quotaUsed}):
 * stateless. A rule fires on the one request whose addition took its counter across the threshold, read from the
 * counter's value right after that addition. The counters are added to atomically and shared by every instance on
 * the same store, so exactly one request of the whole fleet sees each crossing: one alert per key and window,
 * however many instances there are, and without any state to share or lose on a restart.
 */
final class SpendAlerts {
    private SpendAlerts() {
    }

    /** The alert {@code r} raises for {@code e}, if it takes one of the key's counters across the threshold. */
    static Optional<Alert> evaluate(AlertRule r, UsageEvent e, UsageEvent.Spent s) {
        if (r.kind == AlertRule.Kind.REMAINING_BELOW && s.uses().isPresent()) {
            UsageEvent.Counter c = s.uses().get();
            long t = r.thresholdFor(c.limit()), left = c.left();
            // Crossed by this request, or a window whose grant starts below the threshold, on its first use.
            if (left >= t || (left + s.cost() < t && c.used() != s.cost())) return Optional.empty();
            return Optional.of(alert(r, e, s, c, t, left, "key " + e.keyId() + " has " + left + " remaining uses of "
                    + c.limit() + ", fewer than " + t));
        }
        if (r.kind == AlertRule.Kind.QUOTA_USED && s.quota().isPresent()) {
            UsageEvent.Counter c = s.quota().get();
            long t = r.thresholdFor(c.limit()), used = c.used();
            if (used < t || used - s.cost() >= t) return Optional.empty();
            return Optional.of(alert(r, e, s, c, t, used, "key " + e.keyId() + " used " + used + " of its quota of " + c.limit()
                    + " in the period from " + Instant.ofEpochSecond(c.windowStart()) + " (" + percent(r.share) + " is " + t + ")"));
        }
        return Optional.empty();
    }

    private static Alert alert(AlertRule r, UsageEvent e, UsageEvent.Spent s, UsageEvent.Counter c, long threshold, long value, String message) {
        Instant at = instant(e.atNanos());
        // Remaining uses without a refill have no window: the alert is for the moment they crossed.
        boolean endless = c.windowEnd() == Long.MAX_VALUE;
        Instant from = endless ? at : Instant.ofEpochSecond(c.windowStart()), to = endless ? at : Instant.ofEpochSecond(c.windowEnd());
        return new Alert(r.name, r.kind(), Optional.of(e.keyId()), Optional.of(e.tenant()), Optional.of(s.ownerId()), Optional.empty(),
                from, to, value, threshold, value, message);
    }

    private static String percent(double share) {
        double p = share * 100;
        return (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p)) + "%";
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
