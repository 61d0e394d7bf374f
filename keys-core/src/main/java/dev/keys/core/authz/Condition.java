package dev.keys.core.authz;

import dev.keys.api.ApiKey;
import dev.keys.api.RequestContext;

/**
 * An ABAC condition on a key or a route; immutable and thread-safe. Made by {@link #parse} (or
 * {@link IpCondition#of}); the other kinds are package-private. A failed condition denies with
 * {@code FORBIDDEN} and a reason naming {@link #describe()}, never a secret.
 *
 * <p>Text form (inside the brackets of a route line, or in a policy file):
 * <pre>
 * ip 10.0.0.0/8, 2001:db8::/32          client address in any of the ranges
 * env live                              the key's environment (live, test)
 * time Mon-Fri 09:00-17:00 Europe/Paris time-of-day window on the listed days, in a zone (default UTC)
 * request.NAME = VALUE                  request attribute equals VALUE
 * request.NAME in V1, V2                request attribute is one of the values
 * key.NAME = VALUE / key.NAME in V1, V2 the same on the key's meta
 * </pre>
 */
public sealed interface Condition permits IpCondition, TimeWindowCondition, EnvironmentCondition, AttributeCondition, TenantCondition {

    /** A short description in the text form, safe for audit logs and client details. */
    String describe();

    /** Whether the condition holds; allocates nothing beyond what the condition's kind documents. */
    boolean test(ApiKey key, RequestContext request, long nowNanos);

    /**
     * The key belongs to {@code tenant}. Met before any limit is spent (step 5), so a verification for a caller
     * confined to a tenant, with this condition, spends nothing of another tenant's key. No text form.
     */
    static Condition tenant(String tenant) {
        return new TenantCondition(java.util.Objects.requireNonNull(tenant, "tenant"));
    }

    /**
     * Parses the text form.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Condition parse(String text) {
        String t = text.strip();
        int sp = 0;
        while (sp < t.length() && !Character.isWhitespace(t.charAt(sp)) && t.charAt(sp) != '=') sp++;
        String kind = t.substring(0, sp);
        String rest = t.substring(sp).strip();
        if (kind.equals("ip")) return IpCondition.of(Words.list(rest, "ip"));
        if (kind.equals("env")) return EnvironmentCondition.parse(rest);
        if (kind.equals("time")) return TimeWindowCondition.parse(rest);
        if (kind.startsWith("request.") || kind.startsWith("key.")) return AttributeCondition.parse(kind, rest);
        throw new IllegalArgumentException("unknown condition \"" + t + "\": expected ip, env, time, request.<name> or key.<name>");
    }
}
