package dev.keys.core.authz;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
 *
 * <p>Memory. Most keys share their grants with many others (the same roles, the same few permissions), so the
 * compiled {@link Permissions} (with its tables, about 350 bytes) is shared between every key of the same roles and
 * permissions under the same {@link Roles}: a bounded cache of the last {@value #SHARED_GRANTS} distinct grants, which
 * also spares a key whose grants are there the parsing of its permissions. A key without conditions holds shared empty
 * arrays. What is left per key is this object and the key's own conditions.
 */
public final class KeyAuthz {
    /** The answer for {@link Requirement#UNMATCHED}: docs/servlet.md quotes its reason. */
    static final Decision NO_ROUTE = Decision.forbidden("no route allows this request");
    static final int SHARED_GRANTS = 10_000;
    private static final Condition[] NO_CONDITIONS = {};
    private static final Decision[] NO_DENIALS = {};

    /** The grants of a key under one {@link Roles} (by identity: the roles a verifier was built with). */
    private record Grants(Roles roles, Set<String> roleNames, Set<String> permissions) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Grants g && g.roles == roles && g.roleNames.equals(roleNames) && g.permissions.equals(permissions);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(roles) * 31 * 31 + roleNames.hashCode() * 31 + permissions.hashCode();
        }
    }

    /** What the grants compile to: immutable, so shared. */
    private record Compiled(Permissions permissions, Set<String> unknownRoles, List<String> problems) {
    }

    private static final Cache<Grants, Compiled> SHARED = Caffeine.newBuilder().maximumSize(SHARED_GRANTS).executor(Runnable::run).build();
    private final ApiKey key;
    private final Permissions permissions;
    private final Condition[] conditions;
    private final Decision[] denials;
    private final Set<String> unknownRoles;
    private final List<String> problems;

    private KeyAuthz(ApiKey key, Permissions permissions, List<Condition> conditions, Set<String> unknownRoles, List<String> problems) {
        this.key = key;
        this.permissions = permissions;
        this.conditions = conditions.isEmpty() ? NO_CONDITIONS : conditions.toArray(new Condition[0]);
        this.denials = conditions.isEmpty() ? NO_DENIALS : new Decision[this.conditions.length];
        for (int i = 0; i < denials.length; i++) denials[i] = Decision.forbidden("key condition failed: " + this.conditions[i].describe());
        this.unknownRoles = unknownRoles;
        this.problems = List.copyOf(problems);
    }

    public static KeyAuthz compile(ApiKey key, Roles roles) {
        return compile(key, roles, List.of());
    }

    /** As {@link #compile(ApiKey, Roles)}, with conditions of the key beyond its allowlist (checked after it). */
    public static KeyAuthz compile(ApiKey key, Roles roles, List<Condition> extraKeyConditions) {
        // ApiKey's sets are immutable copies, so they can be held as the cache's key.
        Compiled grants = SHARED.get(new Grants(roles, key.roles(), key.permissions()), KeyAuthz::compileGrants);
        // Most keys have no condition of their own: nothing to build, the shared parts are the whole answer.
        if (key.ipAllowlist().isEmpty() && extraKeyConditions.isEmpty()) {
            return new KeyAuthz(key, grants.permissions, List.of(), grants.unknownRoles, grants.problems);
        }
        List<String> problems = grants.problems;
        List<Condition> conditions = new ArrayList<>();
        if (!key.ipAllowlist().isEmpty()) {
            problems = new ArrayList<>(problems);
            IpCondition.ofAllowlist(key.ipAllowlist(), problems).ifPresent(conditions::add);
        }
        conditions.addAll(extraKeyConditions);
        return new KeyAuthz(key, grants.permissions, conditions, grants.unknownRoles, problems);
    }

    private static Compiled compileGrants(Grants g) {
        List<String> problems = new ArrayList<>();
        List<String> direct = new ArrayList<>();
        for (String p : g.permissions) {
            try {
                Permissions.validate(p);
                direct.add(p);
            } catch (IllegalArgumentException e) {
                problems.add("permissions: " + e.getMessage());
            }
        }
        Set<String> unknown = g.roles.unknown(g.roleNames);
        for (String r : unknown) problems.add("roles: unknown role \"" + r + "\"");
        return new Compiled(g.roles.flatten(g.roleNames, Set.copyOf(direct)), unknown, List.copyOf(problems));
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
