package dev.keys.core.limit;

import dev.keys.api.RateLimitStatus;
import dev.keys.core.internal.HeaderText;

import java.util.List;

/**
 * The values of the fields of draft-ietf-httpapi-ratelimit-headers-11 (docs/contract.md §5): {@code RateLimit-Policy}
 * lists each bandwidth's quota {@code q} and window {@code w}; {@code RateLimit} its remaining {@code r} and reset
 * {@code t}; both are structured-field lists keyed by the bandwidth's name as an sf-string.
 *
 * <p>The policy depends on the limits only, so a limiter renders it once (the limiter's {@code policyField}) and each
 * bandwidth its quoted name ({@code Bandwidth.fieldName}); an admitted request then writes one string, the state,
 * without building its statuses. {@link #policy(List)} and {@link #state(List)} write the same bytes from statuses,
 * for every other report.
 */
final class RateLimitFields {
    /** RFC 8941 integers have at most 15 digits; the fields' values are never negative. */
    private static final long SF_INTEGER_MAX = 999_999_999_999_999L;

    private RateLimitFields() {
    }

    static String policy(List<RateLimitStatus> statuses) {
        if (statuses.isEmpty()) return "";
        StringBuilder sb = new StringBuilder(32 * statuses.size());
        for (RateLimitStatus s : statuses) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(sfString(s.name()));
            appendPolicy(sb, s.limit(), s.windowSeconds());
        }
        return sb.toString();
    }

    static String policy(Bandwidth[] bandwidths) {
        if (bandwidths.length == 0) return "";
        StringBuilder sb = new StringBuilder(32 * bandwidths.length);
        for (Bandwidth b : bandwidths) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(b.fieldName);
            appendPolicy(sb, b.limit.limit(), b.windowSeconds);
        }
        return sb.toString();
    }

    static String state(List<RateLimitStatus> statuses) {
        if (statuses.isEmpty()) return "";
        StringBuilder sb = new StringBuilder(32 * statuses.size());
        for (RateLimitStatus s : statuses) {
            if (sb.length() > 0) sb.append(", ");
            appendState(sb, sfString(s.name()), s.remaining(), s.resetSeconds());
        }
        return sb.toString();
    }

    /** One member of the {@code RateLimit} list: {@code <name>;r=<remaining>;t=<reset>}. */
    static void appendState(StringBuilder sb, String fieldName, long remaining, long resetSeconds) {
        sb.append(fieldName).append(";r=").append(sfInteger(remaining)).append(";t=").append(sfInteger(resetSeconds));
    }

    private static void appendPolicy(StringBuilder sb, long quota, long windowSeconds) {
        sb.append(";q=").append(sfInteger(quota)).append(";w=").append(sfInteger(Math.max(1, windowSeconds)));
    }

    /** The name as an sf-string (the same quoting as the realm of {@code WWW-Authenticate}). */
    static String sfString(String s) {
        return HeaderText.appendQuoted(new StringBuilder(s.length() + 2), s).toString();
    }

    static long sfInteger(long v) {
        return Math.max(0, Math.min(v, SF_INTEGER_MAX));
    }
}
