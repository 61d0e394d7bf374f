package dev.keys.core.ops;

import dev.keys.api.Outcome;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A rule evaluated by an {@link AlertingUsageSink}. Counting rules use fixed windows aligned to the epoch
 * ({@code [k*window, (k+1)*window)}) and fire once per window per subject, on the event that takes the count past
 * the threshold. Immutable.
 *
 * <table>
 * <caption>Rules and what they read</caption>
 * <tr><th>factory</th><th>subject</th><th>reads</th></tr>
 * <tr><td>{@link #rateLimited}, {@link #keyOutcomes}</td><td>key</td><td>{@code UsageEvent}s ({@code record})</td></tr>
 * <tr><td>{@link #failedVerifications}</td><td>client address</td><td>{@code VerificationEvent}s ({@code onVerification})</td></tr>
 * <tr><td>{@link #newNetwork}</td><td>key and client network</td><td>{@code VerificationEvent}s</td></tr>
 * <tr><td>{@link #unused}</td><td>key</td><td>the key store and a {@code LastUseSource}, periodically</td></tr>
 * <tr><td>{@link #remainingBelow}, {@link #remainingBelowShare}, {@link #quotaUsed}</td><td>key</td><td>the counters
 * an admitted request took ({@code UsageEvent.spent()}), as they stand after it</td></tr>
 * <tr><td>{@link #expiringWithin}</td><td>key</td><td>the key store, periodically, and each key written by the
 * {@code KeyManager}</td></tr>
 * </table>
 */
public final class AlertRule {
    /** Failures counted by {@link #failedVerifications(long, Duration)}: every 401 and 403 but {@code MISSING}. */
    public static final Set<Outcome> FAILURES = Set.copyOf(EnumSet.of(Outcome.MALFORMED, Outcome.NOT_FOUND, Outcome.EXPIRED,
            Outcome.REVOKED, Outcome.DISABLED, Outcome.NOT_APPROVED, Outcome.FORBIDDEN, Outcome.INSUFFICIENT_PERMISSIONS));

    enum Kind {
        KEY_OUTCOMES, ADDRESS_FAILURES, NEW_NETWORK, UNUSED, REMAINING_BELOW, QUOTA_USED, EXPIRING;

        /** The kind as alerts carry it: {@code key-outcomes}, {@code quota-used}, ... */
        final String label = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');

        boolean spend() {
            return this == REMAINING_BELOW || this == QUOTA_USED;
        }
    }

    final String name;
    final Kind kind;
    final Set<Outcome> outcomes;
    final long threshold;
    /** For the share rules, the share of the limit (0 to 1); 0 for an absolute threshold. */
    final double share;
    final Duration window;
    final int v4Bits, v6Bits;

    private AlertRule(String name, Kind kind, Set<Outcome> outcomes, long threshold, Duration window, int v4Bits, int v6Bits) {
        this(name, kind, outcomes, threshold, 0, window, v4Bits, v6Bits);
    }

    private AlertRule(String name, Kind kind, Set<Outcome> outcomes, long threshold, double share, Duration window, int v4Bits, int v6Bits) {
        this.name = Objects.requireNonNull(name, "name");
        if (name.isBlank()) throw new IllegalArgumentException("a rule needs a name");
        this.kind = kind;
        this.outcomes = outcomes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(outcomes));
        if (threshold < 0) throw new IllegalArgumentException("threshold must not be negative");
        this.threshold = threshold;
        if (!(share >= 0 && share <= 1)) throw new IllegalArgumentException("share must be from 0 to 1");
        this.share = share;
        if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window must be positive");
        if (window.toNanos() <= 0) throw new IllegalArgumentException("window too long");
        this.window = window;
        if (v4Bits < 1 || v4Bits > 32 || v6Bits < 1 || v6Bits > 128) throw new IllegalArgumentException("network prefix out of range");
        this.v4Bits = v4Bits;
        this.v6Bits = v6Bits;
    }

    /** One key denied {@code RATE_LIMITED} more than {@code threshold} times in a window. Named {@code rate-limited}. */
    public static AlertRule rateLimited(long threshold, Duration window) {
        return keyOutcomes("rate-limited", Set.of(Outcome.RATE_LIMITED), threshold, window);
    }

    /** One key verified with any of {@code outcomes} more than {@code threshold} times in a window. */
    public static AlertRule keyOutcomes(String name, Set<Outcome> outcomes, long threshold, Duration window) {
        if (outcomes.isEmpty()) throw new IllegalArgumentException("outcomes must not be empty");
        return new AlertRule(name, Kind.KEY_OUTCOMES, outcomes, threshold, window, 24, 48);
    }

    /**
     * More than {@code threshold} failed verifications ({@link #FAILURES}) from one client address in a window,
     * whatever the key. Named {@code failed-verifications}.
     */
    public static AlertRule failedVerifications(long threshold, Duration window) {
        return failedVerifications("failed-verifications", FAILURES, threshold, window);
    }

    public static AlertRule failedVerifications(String name, Set<Outcome> outcomes, long threshold, Duration window) {
        if (outcomes.isEmpty()) throw new IllegalArgumentException("outcomes must not be empty");
        return new AlertRule(name, Kind.ADDRESS_FAILURES, outcomes, threshold, window, 24, 48);
    }

    /**
     * A key used from a client network (IPv4 /24, IPv6 /48) it was not used from before. The first network a key
     * is seen from is learned silently; each later new network alerts once. Named {@code new-network}.
     */
    public static AlertRule newNetwork() {
        return newNetwork(24, 48);
    }

    public static AlertRule newNetwork(int ipv4PrefixBits, int ipv6PrefixBits) {
        return new AlertRule("new-network", Kind.NEW_NETWORK, Set.of(), 0, Duration.ofDays(1), ipv4PrefixBits, ipv6PrefixBits);
    }

    /**
     * An active key not verified for {@code idle} (counted from its creation when never used). Fires once per idle
     * stretch: again only after the key was used and then fell idle anew. Named {@code unused}.
     */
    public static AlertRule unused(Duration idle) {
        return new AlertRule("unused", Kind.UNUSED, Set.of(), 0, idle, 24, 48);
    }

    /**
     * A key's remaining uses fell below {@code threshold}: fires on the admitted request that takes them from
     * {@code threshold} or more to less (or on the first use of a window that starts below it), once per refill
     * interval, or once per grant of remaining uses without a refill. Named {@code remaining-below}.
     */
    public static AlertRule remainingBelow(long threshold) {
        if (threshold < 1) throw new IllegalArgumentException("threshold must be at least 1");
        return new AlertRule("remaining-below", Kind.REMAINING_BELOW, Set.of(), threshold, Duration.ofDays(1), 24, 48);
    }

    /**
     * As {@link #remainingBelow(long)}, the threshold a {@code share} (more than 0, at most 1) of what the key was
     * given: its refill amount with a refill, else the remaining uses it was set to (rounded up: 0.1 of 1,000 fires
     * when fewer than 100 are left). Named {@code remaining-below}.
     */
    public static AlertRule remainingBelowShare(double share) {
        if (!(share > 0 && share <= 1)) throw new IllegalArgumentException("share must be more than 0 and at most 1");
        return new AlertRule("remaining-below", Kind.REMAINING_BELOW, Set.of(), 0, share, Duration.ofDays(1), 24, 48);
    }

    /**
     * A key used {@code share} (more than 0, at most 1) of its quota in the current period ({@code DAY},
     * {@code WEEK}, {@code MONTH}): fires on the admitted request that takes the period's count to
     * {@code ceil(share * limit)}, once per period. Named {@code quota-used}.
     */
    public static AlertRule quotaUsed(double share) {
        if (!(share > 0 && share <= 1)) throw new IllegalArgumentException("share must be more than 0 and at most 1");
        return new AlertRule("quota-used", Kind.QUOTA_USED, Set.of(), 0, share, Duration.ofDays(1), 24, 48);
    }

    /**
     * An active key expires within {@code window} ({@code P7D}): checked periodically against the key store and
     * whenever the {@code KeyManager} writes a key (created, or its {@code expiresAt} changed), once per key and
     * expiry instant. Named {@code expiring}.
     */
    public static AlertRule expiringWithin(Duration window) {
        return new AlertRule("expiring", Kind.EXPIRING, Set.of(), 0, window, 24, 48);
    }

    /** The same rule under another name (to run two of a kind). */
    public AlertRule named(String newName) {
        return new AlertRule(newName, kind, outcomes, threshold, share, window, v4Bits, v6Bits);
    }

    public String name() {
        return name;
    }

    /** What kind of rule this is, as its alerts carry it: {@code key-outcomes}, {@code remaining-below}, ... */
    public String kind() {
        return kind.label;
    }

    /** The threshold of a share rule for a counter of {@code limit}, else the absolute threshold. */
    long thresholdFor(long limit) {
        return share == 0 ? threshold : Math.max(1, (long) Math.ceil(share * limit));
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case NEW_NETWORK -> "";
            case REMAINING_BELOW, QUOTA_USED -> share == 0 ? ", threshold=" + threshold : ", share=" + share;
            case EXPIRING -> ", window=" + window;
            default -> ", threshold=" + threshold + ", window=" + window;
        };
        return "AlertRule[" + name + ", " + kind + what + "]";
    }
}
