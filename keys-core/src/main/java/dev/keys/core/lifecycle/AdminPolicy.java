package dev.keys.core.lifecycle;

import dev.keys.api.ApiKey;
import dev.keys.api.KeyQuery;
import dev.keys.api.OAuthClient;
import dev.keys.api.StoreException;
import dev.keys.core.authz.Permissions;
import dev.keys.core.authz.Policy;
import dev.keys.core.authz.RoleCatalog;
import dev.keys.core.authz.Roles;
import dev.keys.core.authz.Route;
import dev.keys.core.authz.RouteTable;
import dev.keys.core.lifecycle.Actor.Right;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The caller rules of the admin API (docs/contract.md §5), kept in the core so that {@link KeyManager} and
 * {@link ClientManager} hold a Java caller to them as the HTTP API holds its callers.
 *
 * <ul>
 *   <li>Rights: {@code keys:admin} every tenant and everything; {@code keys:manage} reads, verifies and changes in
 *       its own tenant; {@code keys:read} only reads there, {@code keys:verify} only verifies. A call beyond the
 *       actor's rights is {@link Refused}, before anything is read, so that it tells nothing about what exists.</li>
 *   <li>Tenant scoping: an actor that is not an admin sees, lists and changes keys and clients of its own tenant
 *       only. Anything of another tenant is answered exactly as an unknown one ({@link StoreException.NotFound},
 *       or an empty {@code Optional}), so that ids do not leak across tenants.</li>
 *   <li>Grant limit: only an admin grants {@code keys:admin}, directly, by a wildcard or through a role, and only an
 *       admin changes a key or client that holds it.</li>
 *   <li>Tenant ceilings: a manager grants only what its tenant's ceiling covers (a wildcard only where the ceiling
 *       holds one that implies it) and never widens its own key. The ceiling of a tenant is configured
 *       ({@link Builder#ceiling}); by default it is the defined roles and the permissions the routes name, leaving
 *       out every role and permission that reaches a {@code keys:} right. Only what a change adds is judged, so
 *       grants an admin made stay through a manager's later changes.</li>
 *   <li>Self-service: a {@code keys:self} caller reads, and rotates, only the keys of its own tenant and
 *       {@code ownerId} (without {@code keys:read}, others answer as unknown ones); it never rotates a key that holds
 *       a {@code keys:} right other than {@code keys:self}, so that rotating never hands it a stronger key. A key
 *       with {@code keys:self} and a blank {@code ownerId} owns nothing, and gets no such right.</li>
 *   <li>Roles: a caller (any but the system) names only defined roles; an undefined one answers
 *       {@link IllegalArgumentException} naming the field, for admins too, because the container's
 *       {@code isUserInRole} answers from role names whether or not they grant anything.</li>
 * </ul>
 *
 * Whether roles and permissions amount to a right is judged with the service's roles ({@link RoleCatalog}, the same
 * as the verifier's, runtime roles included as they are now), so that a role granting {@code keys:admin} counts as
 * {@code keys:admin}. Immutable; the roles it judges with are the catalog's current ones.
 */
public final class AdminPolicy {
    public static final String ADMIN = "keys:admin", MANAGE = "keys:manage", READ = "keys:read", VERIFY = "keys:verify", SELF = "keys:self";
    /** No roles, no routes: {@code keys:admin} is held only as a permission or through a wildcard. */
    public static final AdminPolicy DEFAULT = new AdminPolicy(RoleCatalog.of(Roles.EMPTY), Map.of(), Permissions.NONE);

    private final RoleCatalog catalog;
    private final Map<String, Ceiling> ceilings;
    /** The permissions of the default ceiling (the routes'); its roles follow the roles defined ({@link #defaultCeiling}). */
    private final Permissions defaultPermissions;
    private volatile Ceiling defaultCeiling;

    /** A ceiling compiled: wildcards among the permissions cover what they imply; {@code from} the roles it was made of. */
    private record Ceiling(Permissions permissions, Set<String> roles, Roles from) {
    }

    private AdminPolicy(RoleCatalog catalog, Map<String, Ceiling> ceilings, Permissions defaultPermissions) {
        this.catalog = catalog;
        this.ceilings = ceilings;
        this.defaultPermissions = defaultPermissions;
        this.defaultCeiling = new Ceiling(defaultPermissions, Set.of(), null);
    }

    /** The policy of a service whose keys may hold these roles, with no routes (see {@link #builder}). */
    public static AdminPolicy of(Roles roles) {
        return Objects.requireNonNull(roles, "roles") == Roles.EMPTY ? DEFAULT : builder(roles).build();
    }

    /** The policy of a service whose keys may hold the roles of this catalog, runtime ones included, with no routes. */
    public static AdminPolicy of(RoleCatalog catalog) {
        return builder(catalog).build();
    }

    /**
     * This policy judging with the fixed roles it has and the runtime roles of {@code shared} (the {@code Keys}'
     * catalog): the admin API links a policy built from code or a policy file to the roles its store keeps.
     */
    public AdminPolicy withStoredRolesOf(RoleCatalog shared) {
        if (shared.store().isEmpty() || catalog.store().isPresent()) return this;
        return new AdminPolicy(shared.withFixed(catalog.fixed()), ceilings, defaultPermissions);
    }

    /** The policy of a loaded {@link Policy}: its roles, its routes for the default ceiling, its tenants' ceilings. */
    public static AdminPolicy from(Policy policy) {
        Builder b = builder(policy.roles()).routes(policy.routes());
        policy.ceilings().forEach((tenant, c) -> b.ceiling(tenant, c.permissions(), c.roles()));
        return b.build();
    }

    public static Builder builder(Roles roles) {
        return new Builder(RoleCatalog.of(roles));
    }

    /** As {@link #builder(Roles)}, judging with a catalog's roles as they are at each call (runtime ones included). */
    public static Builder builder(RoleCatalog catalog) {
        return new Builder(catalog);
    }

    /** The roles defined now: the fixed ones and those stored at run time. */
    public Roles roles() {
        return catalog.current();
    }

    /** Where the roles come from, for the admin API's {@code /roles}. */
    public RoleCatalog catalog() {
        return catalog;
    }

    /** A change this policy refuses; the message says why, naming the field to blame when there is one. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The actor a caller's key makes, with the rights its roles and permissions hold; empty when it holds none. */
    public Optional<Actor> caller(ApiKey key) {
        Permissions held = flatten(key.roles(), key.permissions());
        EnumSet<Right> rights = EnumSet.noneOf(Right.class);
        for (Right r : Right.values()) if (held.implies(r.permission())) rights.add(r);
        if (rights.contains(Right.ADMIN)) return Optional.of(Actor.of(key.id(), key.tenant(), rights));
        if (key.ownerId().isBlank()) rights.remove(Right.SELF);
        if (rights.isEmpty()) return Optional.empty();
        return Optional.of(rights.contains(Right.SELF) ? Actor.self(key.id(), key.tenant(), key.ownerId(), rights)
                : Actor.of(key.id(), key.tenant(), rights));
    }

    /** Whether roles and permissions amount to {@code keys:admin}. Permissions that are not valid grant nothing. */
    public boolean grantsAdmin(Set<String> roleNames, Set<String> permissions) {
        return flatten(roleNames, permissions).implies(ADMIN);
    }

    /** @throws Refused when the actor does not hold {@code right} */
    public void require(Actor actor, Right right) {
        if (actor.may(right)) return;
        throw new Refused(switch (right) {
            case VERIFY -> "only a " + VERIFY + ", " + MANAGE + " or " + ADMIN + " caller verifies keys";
            case READ -> "only a " + READ + ", " + MANAGE + " or " + ADMIN + " caller reads keys, clients, usage and audit";
            case MANAGE -> "only a " + MANAGE + " or " + ADMIN + " caller creates or changes keys and clients";
            case ADMIN -> "only a " + ADMIN + " caller does this";
            case SELF -> "only a " + SELF + ", " + MANAGE + " or " + ADMIN + " caller rotates its keys";
        });
    }

    /** @throws Refused when the actor may read no key: it holds neither {@code keys:read} nor {@code keys:self} */
    public void requireKeyReading(Actor actor) {
        if (!actor.confined()) require(actor, Right.READ);
    }

    /**
     * The listing {@code query} by {@code actor} covers: as {@link #scope(Actor, Optional)}, and for a
     * {@linkplain Actor#confined() confined} caller its own tenant and owner.
     *
     * @throws Refused                 when the actor may read no key
     * @throws StoreException.NotFound when it asks for another tenant, or a confined one for another owner
     */
    public KeyQuery scope(Actor actor, KeyQuery query) {
        if (!actor.confined()) {
            Optional<String> tenant = scope(actor, query.tenant());
            return tenant.equals(query.tenant()) ? query : query.within(tenant, query.ownerId());
        }
        if (query.tenant().isPresent() && !actor.reaches(query.tenant().get())) throw new StoreException.NotFound("no tenant " + query.tenant().get());
        if (query.ownerId().isPresent() && !query.ownerId().equals(actor.owner())) throw new StoreException.NotFound("no owner " + query.ownerId().get());
        return query.within(actor.tenant(), actor.owner());
    }

    /**
     * As {@link #checkChange(Actor, ApiKey)} for a rotation, which a {@code keys:self} caller may make of its own
     * keys that hold no {@code keys:} right beyond {@code keys:self}.
     *
     * @throws Refused                 as {@link #checkChange(Actor, ApiKey)}, or for a self-service caller a key
     *                                 of another owner it can read, or one holding a stronger {@code keys:} right
     * @throws StoreException.NotFound when the key is out of the actor's reach
     */
    public void checkRotate(Actor actor, ApiKey key) {
        if (actor.may(Right.MANAGE) || !actor.may(Right.SELF)) {
            checkChange(actor, key);
            return;
        }
        if (!actor.reaches(key.tenant(), key.ownerId())) throw new StoreException.NotFound("no key with id " + key.id());
        if (!actor.owns(key.tenant(), key.ownerId())) throw new Refused("a " + SELF + " caller rotates only its own keys");
        boolean stronger = caller(key).map(a -> !EnumSet.of(Right.SELF).containsAll(a.rights())).orElse(false);
        if (stronger) throw new Refused("a " + SELF + " caller rotates only keys that hold no keys: right beyond " + SELF);
    }

    /**
     * The tenant a listing by {@code actor} covers: what it asked for, and for one that is not an admin its own.
     *
     * @throws Refused                 when the actor may not read
     * @throws StoreException.NotFound when it asks for another tenant than its own
     */
    public Optional<String> scope(Actor actor, Optional<String> tenant) {
        require(actor, Right.READ);
        if (actor.admin()) return tenant;
        if (tenant.isPresent() && !actor.reaches(tenant.get())) throw new StoreException.NotFound("no tenant " + tenant.get());
        return actor.tenant();
    }

    /** @throws Refused when the actor may not create a key like {@code request} */
    public void checkCreate(Actor actor, NewKey request) {
        checkCreate(actor, "keys", request.tenant(), request.roles(), request.permissions());
    }

    /** @throws Refused when the actor may not create a client like {@code request} */
    public void checkCreate(Actor actor, NewClient request) {
        checkCreate(actor, "clients", request.tenant(), request.roles(), request.permissions());
    }

    /**
     * @throws Refused                 when the actor may not change anything, or a manager would change a key
     *                                 that holds {@code keys:admin}
     * @throws StoreException.NotFound when the key is out of the actor's reach (as if there were no such key)
     */
    public void checkChange(Actor actor, ApiKey key) {
        checkChange(actor, "key", key.id(), key.tenant(), key.roles(), key.permissions());
    }

    /** As {@link #checkChange(Actor, ApiKey)}, for a client. */
    public void checkChange(Actor actor, OAuthClient client) {
        checkChange(actor, "client", client.clientId(), client.tenant(), client.roles(), client.permissions());
    }

    /**
     * Judges what a change of the grants of {@code subject} (a key or client id of {@code tenant}) from
     * {@code rolesBefore}/{@code permissionsBefore} to {@code roles}/{@code permissions} adds.
     *
     * @throws IllegalArgumentException when a caller adds a role that is not defined (the field {@code roles})
     * @throws Refused                  when a manager grants {@code keys:admin}, widens its own key, or grants
     *                                  beyond its tenant's ceiling; the message names the field to blame
     */
    public void checkGrant(Actor actor, String tenant, String subject, Set<String> rolesBefore, Set<String> permissionsBefore,
                           Set<String> roles, Set<String> permissions) {
        Set<String> addedRoles = added(rolesBefore, roles), addedPermissions = added(permissionsBefore, permissions);
        Roles defined = catalog.current();
        if (actor.caller() && !defined.unknown(addedRoles).isEmpty()) {
            // Never the name itself: a role name has the shape of a key's prefix, and answers echo no values.
            throw new IllegalArgumentException("roles: names a role that is not defined");
        }
        if (actor.admin()) return;
        if (grantsAdmin(roles, permissions)) {
            throw new Refused((grantsAdmin(rolesBefore, permissions) ? "permissions" : "roles") + ": only a " + ADMIN + " caller grants " + ADMIN);
        }
        if (subject.equals(actor.id())) {
            Permissions held = flatten(rolesBefore, permissionsBefore);
            if (!addedRoles.isEmpty()) throw new Refused("roles: a caller never widens its own key");
            for (String p : addedPermissions) {
                if (Permissions.isValid(p) && !held.implies(p)) throw new Refused("permissions: a caller never widens its own key");
            }
        }
        Ceiling c = ceilings.containsKey(tenant) ? ceilings.get(tenant) : defaultCeiling(defined);
        for (String p : addedPermissions) {
            if (Permissions.isValid(p) && !c.permissions.implies(p)) throw new Refused("permissions: beyond what tenant " + tenant + " grants");
        }
        for (String r : addedRoles) if (!c.roles.contains(r)) throw new Refused("roles: beyond what tenant " + tenant + " grants");
    }

    private void checkCreate(Actor actor, String what, String tenant, Set<String> roles, Set<String> permissions) {
        require(actor, Right.MANAGE);
        if (!actor.reaches(tenant)) throw new Refused("tenant: a " + MANAGE + " caller creates " + what + " only in its own tenant");
        checkGrant(actor, tenant, "", Set.of(), Set.of(), roles, permissions);
    }

    private void checkChange(Actor actor, String what, String id, String tenant, Set<String> roles, Set<String> permissions) {
        require(actor, Right.MANAGE);
        if (actor.admin()) return;
        if (!actor.reaches(tenant)) throw new StoreException.NotFound("no " + what + " with id " + id);
        if (grantsAdmin(roles, permissions)) throw new Refused("only a " + ADMIN + " caller changes a " + what + " that holds " + ADMIN);
    }

    private static Set<String> added(Set<String> before, Set<String> after) {
        Set<String> out = new LinkedHashSet<>(after);
        out.removeAll(before);
        return out;
    }

    private Permissions flatten(Set<String> roleNames, Set<String> permissions) {
        Set<String> valid = new LinkedHashSet<>();
        for (String p : permissions) if (Permissions.isValid(p)) valid.add(p);
        return catalog.current().flatten(roleNames, valid);
    }

    /** The default ceiling for the roles defined now: the routes' permissions and every role not reaching {@code keys:}. */
    private Ceiling defaultCeiling(Roles defined) {
        Ceiling c = defaultCeiling;
        if (c.from == defined) return c;
        Set<String> names = new LinkedHashSet<>();
        for (String r : defined.names()) if (!reachesKeys(defined.flatten(Set.of(r), Set.of()))) names.add(r);
        c = new Ceiling(defaultPermissions, Set.copyOf(names), defined);
        defaultCeiling = c;
        return c;
    }

    /** Whether granting {@code p} reaches a {@code keys:} right or names the {@code keys} resource at all. */
    private static boolean reachesKeys(Permissions p) {
        for (Right r : Right.values()) if (p.implies(r.permission())) return true;
        for (String g : p.granted()) if (g.startsWith("keys:")) return true;
        return false;
    }

    /** Configuration of an {@link AdminPolicy}. */
    public static final class Builder {
        private final RoleCatalog catalog;
        private RouteTable routes = RouteTable.builder().build();
        private final Map<String, Policy.Ceiling> ceilings = new LinkedHashMap<>();

        private Builder(RoleCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "roles");
        }

        /** The routes whose permissions make the default ceiling, beside the defined roles. Default none. */
        public Builder routes(RouteTable r) { routes = Objects.requireNonNull(r, "routes"); return this; }

        /**
         * The ceiling of {@code tenant}, in place of the default one: the permissions (wildcards included) and the
         * role names its managers may grant. {@code keys:admin} stays an admin's to grant whatever a ceiling says.
         *
         * @throws IllegalArgumentException when a permission is not valid or a role is not defined
         */
        public Builder ceiling(String tenant, Set<String> permissions, Set<String> roleNames) {
            Objects.requireNonNull(tenant, "tenant");
            Set<String> unknown = catalog.current().unknown(roleNames);
            if (!unknown.isEmpty()) throw new IllegalArgumentException("ceiling of " + tenant + ": roles not defined: " + unknown);
            ceilings.put(tenant, new Policy.Ceiling(permissions, roleNames));
            return this;
        }

        public AdminPolicy build() {
            Set<String> permissions = new HashSet<>();
            for (Route route : routes.routes()) {
                for (String p : route.requirement().query().permissions()) {
                    if (!reachesKeys(Permissions.compile(Set.of(p)))) permissions.add(p);
                }
            }
            Map<String, Ceiling> compiled = new LinkedHashMap<>();
            ceilings.forEach((t, c) -> compiled.put(t, new Ceiling(Permissions.compile(c.permissions()), c.roles(), null)));
            return new AdminPolicy(catalog, Map.copyOf(compiled), Permissions.compile(permissions));
        }
    }
}
