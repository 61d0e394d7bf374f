package dev.keys.core.lifecycle;

import dev.keys.api.ApiKey;
import dev.keys.api.OAuthClient;
import dev.keys.api.StoreException;
import dev.keys.core.authz.Permissions;
import dev.keys.core.authz.Roles;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The caller rules of the admin API (docs/contract.md §5), kept in the core so that {@link KeyManager} and
 * {@link ClientManager} hold a Java caller to them as the HTTP API holds its callers.
 *
 * <ul>
 *   <li>Tenant scoping: a manager ({@link Actor#admin()} false) sees, lists and changes keys and clients of its own
 *       tenant only. Anything of another tenant is answered exactly as an unknown one
 *       ({@link StoreException.NotFound}, or an empty {@code Optional}), so that ids do not leak across tenants.</li>
 *   <li>Grant limit: only an admin grants {@code keys:admin}, directly, by a wildcard or through a role, and only an
 *       admin changes a key or client that holds it; a manager is {@link Refused}.</li>
 * </ul>
 *
 * Whether roles and permissions amount to {@code keys:admin} is judged with the service's {@link Roles}, the same
 * as the verifier's, so that a role granting {@code keys:admin} counts as {@code keys:admin}. Immutable.
 */
public final class AdminPolicy {
    public static final String ADMIN = "keys:admin", MANAGE = "keys:manage";
    /** No roles: {@code keys:admin} is held only as a permission or through a wildcard. */
    public static final AdminPolicy DEFAULT = new AdminPolicy(Roles.EMPTY);

    private final Roles roles;

    private AdminPolicy(Roles roles) {
        this.roles = roles;
    }

    /** The policy of a service whose keys may hold these roles. */
    public static AdminPolicy of(Roles roles) {
        return Objects.requireNonNull(roles, "roles") == Roles.EMPTY ? DEFAULT : new AdminPolicy(roles);
    }

    public Roles roles() {
        return roles;
    }

    /** A change this policy refuses; the message says why, naming the field to blame when there is one. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The actor a caller's key makes: an admin with {@code keys:admin}, a manager with {@code keys:manage}, else none. */
    public Optional<Actor> caller(ApiKey key) {
        Permissions held = flatten(key.roles(), key.permissions());
        if (held.implies(ADMIN)) return Optional.of(Actor.admin(key.id(), key.tenant()));
        if (held.implies(MANAGE)) return Optional.of(Actor.manager(key.id(), key.tenant()));
        return Optional.empty();
    }

    /** Whether roles and permissions amount to {@code keys:admin}. Permissions that are not valid grant nothing. */
    public boolean grantsAdmin(Set<String> roleNames, Set<String> permissions) {
        return flatten(roleNames, permissions).implies(ADMIN);
    }

    /**
     * The tenant a listing by {@code actor} covers: what it asked for, and for a manager its own tenant.
     *
     * @throws StoreException.NotFound when a manager asks for another tenant
     */
    public Optional<String> scope(Actor actor, Optional<String> tenant) {
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
     * @throws StoreException.NotFound when the key is out of the actor's reach (as if there were no such key)
     * @throws Refused                 when a manager would change a key that holds {@code keys:admin}
     */
    public void checkChange(Actor actor, ApiKey key) {
        checkChange(actor, "key", key.id(), key.tenant(), key.roles(), key.permissions());
    }

    /** As {@link #checkChange(Actor, ApiKey)}, for a client. */
    public void checkChange(Actor actor, OAuthClient client) {
        checkChange(actor, "client", client.clientId(), client.tenant(), client.roles(), client.permissions());
    }

    /**
     * @throws Refused when a manager's change from roles {@code rolesBefore} to {@code roles} and
     *                 {@code permissions} grants {@code keys:admin}; the field named is {@code permissions} when
     *                 the new permissions grant it with the old roles, else {@code roles}
     */
    public void checkGrant(Actor actor, Set<String> rolesBefore, Set<String> roles, Set<String> permissions) {
        if (actor.admin() || !grantsAdmin(roles, permissions)) return;
        throw new Refused((grantsAdmin(rolesBefore, permissions) ? "permissions" : "roles") + ": only a " + ADMIN + " caller grants " + ADMIN);
    }

    private void checkCreate(Actor actor, String what, String tenant, Set<String> roles, Set<String> permissions) {
        if (actor.admin()) return;
        if (!actor.reaches(tenant)) throw new Refused("tenant: a " + MANAGE + " caller creates " + what + " only in its own tenant");
        checkGrant(actor, Set.of(), roles, permissions);
    }

    private void checkChange(Actor actor, String what, String id, String tenant, Set<String> roles, Set<String> permissions) {
        if (actor.admin()) return;
        if (!actor.reaches(tenant)) throw new StoreException.NotFound("no " + what + " with id " + id);
        if (grantsAdmin(roles, permissions)) throw new Refused("only a " + ADMIN + " caller changes a " + what + " that holds " + ADMIN);
    }

    private Permissions flatten(Set<String> roleNames, Set<String> permissions) {
        Set<String> valid = new LinkedHashSet<>();
        for (String p : permissions) if (Permissions.isValid(p)) valid.add(p);
        return roles.flatten(roleNames, valid);
    }
}
