package dev.keys.core.authz;

import dev.keys.api.ApiKey;
import dev.keys.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The authorization part of one key's cached entry (step 5 of the verifier), compiled once per key version and
 * immutable: its flattened permissions and its own conditions (today the {@code ipAllowlist}).
 *
 * <p>{@link #check} runs the key's conditions, then the route's (or, for {@link Requirement#UNMATCHED}, denies), then
 * the permission query, and stops at the first failure. An allowed request allocates nothing (the IP condition allocates a 4- or 16-byte address copy). A failed
 * key condition answers a denial compiled in advance; a failed route condition or query allocates its reason.
 *
 * <p>Compilation fails closed rather than throwing on stored data: an unknown role or an invalid stored permission
 * grants nothing, an invalid allowlist entry admits nothing; each is reported in {@link #problems()}.
 */
public final class KeyAuthz {
    /** The answer for {@link Requirement#UNMATCHED}: docs/servlet.md quotes its reason. */
    static final Decision NO_ROUTE = Decision.forbidden("no route allows this request");
    private final ApiKey key;
    private final Permissions permissions;
    private final Condition[] conditions;
    private final Decision[] denials;
    private final Set<String> unknownRoles;
    private final List<String> problems;

    private KeyAuthz(ApiKey key, Permissions permissions, List<Condition> conditions, Set<String> unknownRoles, List<String> problems) {
        this.key = key;
        this.permissions = permissions;
        this.conditions = conditions.toArray(new Condition[0]);
        this.denials = new Decision[this.conditions.length];
        for (int i = 0; i < denials.length; i++) denials[i] = Decision.forbidden("key condition failed: " + this.conditions[i].describe());
        this.unknownRoles = unknownRoles;
        this.problems = List.copyOf(problems);
    }

    public static KeyAuthz compile(ApiKey key, Roles roles) {
        return compile(key, roles, List.of());
    }

    /** As {@link #compile(ApiKey, Roles)}, with conditions of the key beyond its allowlist (checked after it). */
    public static KeyAuthz compile(ApiKey key, Roles roles, List<Condition> extraKeyConditions) {
        List<String> problems = new ArrayList<>();
        List<String> direct = new ArrayList<>();
        for (String p : key.permissions()) {
            try {
                Permissions.validate(p);
                direct.add(p);
            } catch (IllegalArgumentException e) {
                problems.add("permissions: " + e.getMessage());
            }
        }
        Set<String> unknown = roles.unknown(key.roles());
        for (String r : unknown) problems.add("roles: unknown role \"" + r + "\"");
        Permissions perms = roles.flatten(key.roles(), Set.copyOf(direct));
        List<Condition> conditions = new ArrayList<>();
        IpCondition.ofAllowlist(key.ipAllowlist(), problems).ifPresent(conditions::add);
        conditions.addAll(extraKeyConditions);
        return new KeyAuthz(key, perms, conditions, unknown, problems);
    }

    /**
     * Decides one request.
     *
     * @param nowNanos epoch nanoseconds from {@link dev.keys.api.Clock}, read once by the verifier
     */
    public Decision check(RequestContext ctx, long nowNanos, Requirement req) {
        Condition[] cs = conditions;
        for (int i = 0; i < cs.length; i++) {
            if (!cs[i].test(key, ctx, nowNanos)) return denials[i];
        }
        if (req.unmatched()) return NO_ROUTE;
        List<Condition> rc = req.conditions();
        for (int i = 0, n = rc.size(); i < n; i++) {
            Condition c = rc.get(i);
            if (!c.test(key, ctx, nowNanos)) return Decision.forbidden("route condition failed: " + c.describe());
        }
        PermissionQuery q = req.query();
        if (!q.test(permissions)) return Decision.insufficientPermissions(q.explain(permissions));
        return Decision.ALLOW;
    }

    /** Whether the key's permissions meet {@code query}, without conditions. */
    public boolean permits(PermissionQuery query) {
        return query.test(permissions);
    }

    public ApiKey key() {
        return key;
    }

    public Permissions permissions() {
        return permissions;
    }

    /** The key's own conditions, in the order they are checked. */
    public List<Condition> conditions() {
        return List.of(conditions);
    }

    /** Role names on the key that the configured {@link Roles} do not define; they grant nothing. */
    public Set<String> unknownRoles() {
        return unknownRoles;
    }

    /** What compilation left out (unknown roles, invalid stored permissions or CIDRs), for a warning log. */
    public List<String> problems() {
        return problems;
    }
}
