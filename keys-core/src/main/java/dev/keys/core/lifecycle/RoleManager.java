package dev.keys.core.lifecycle;

import dev.keys.api.AuditEvent;
import dev.keys.api.AuditSink;
import dev.keys.api.Clock;
import dev.keys.api.RoleStore;
import dev.keys.api.StoreException;
import dev.keys.api.StoredRole;
import dev.keys.core.authz.Permissions;
import dev.keys.core.authz.RoleCatalog;
import dev.keys.core.authz.Roles;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Roles at run time (docs/contract.md §5, {@code GET /roles}, {@code PUT /roles/{name}}, {@code DELETE /roles/{name}}):
 * reading needs {@code keys:read}, writing {@code keys:admin}. A role of code or the policy file is read-only
 * ({@link IllegalStateException}, 409 over HTTP, naming its source). Each write goes to the store's
 * {@link RoleStore}, which appends a change to the feed: this process's verifier holds it from its next request
 * (the catalog is reloaded here), every other instance within its propagation bound. Each write is audited as
 * {@code role.create}, {@code role.update} or {@code role.delete}, with key id {@code role:<name>}, tenant
 * {@value #ALL_TENANTS} and the permissions {@code [before, after]}.
 *
 * <p>Deleting a role that keys hold is allowed: those keys keep the name, which grants nothing from then on (as an
 * unknown role always has), on every instance within the bound; a role defined again under that name grants its
 * new permissions to them. The audit event of the deletion says so.
 */
public final class RoleManager {
    /** The tenant of role events: roles belong to every tenant, so only {@code keys:admin} callers read them. */
    public static final String ALL_TENANTS = "*";

    private final RoleCatalog catalog;
    private final AuditSink audit;
    private final Clock clock;
    private final AdminPolicy policy;

    public RoleManager(RoleCatalog catalog, AuditSink audit, Clock clock, AdminPolicy policy) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** This manager under another policy, with that policy's roles (the admin API's). */
    public RoleManager withPolicy(AdminPolicy p) {
        return p == policy ? this : new RoleManager(p.catalog(), audit, clock, p);
    }

    /** A role as {@code GET /roles} shows it. */
    public record RoleView(String name, Set<String> permissions, Roles.Source source) {
        public RoleView {
            permissions = Set.copyOf(permissions);
        }
    }

    /** Every role defined now, fixed and stored, by name. @throws AdminPolicy.Refused without {@code keys:read} */
    public List<RoleView> list(Actor actor) {
        policy.require(actor, Actor.Right.READ);
        Roles r = catalog.current();
        List<RoleView> out = new ArrayList<>();
        for (String name : new TreeSet<>(r.names())) out.add(new RoleView(name, r.permissionsOf(name).orElseThrow(), r.sourceOf(name).orElseThrow()));
        return out;
    }

    /**
     * Defines or replaces the stored role {@code name}.
     *
     * @throws IllegalArgumentException {@code name: ...} or {@code permissions[i]: ...} when not valid
     * @throws IllegalStateException    when the role is fixed (code or policy file), or the store keeps no roles
     * @throws AdminPolicy.Refused      without {@code keys:admin}
     */
    public RoleView put(String name, Set<String> permissions, Actor actor) {
        policy.require(actor, Actor.Right.ADMIN);
        if (!Roles.isValidName(name)) throw new IllegalArgumentException("name: not a role name (1 to 64 of A-Z a-z 0-9 . _ : -)");
        int i = 0;
        for (String p : permissions) {
            if (!Permissions.isValid(p)) throw new IllegalArgumentException("permissions[" + i + "]: not a permission (resource:action[:instance])");
            i++;
        }
        RoleStore store = writable(name);
        Optional<StoredRole> before = store.put(new StoredRole(name, permissions));
        written(before.isPresent() ? "role.update" : "role.create", actor, name, before.map(StoredRole::permissions), Optional.of(permissions), Optional.empty());
        return new RoleView(name, permissions, Roles.Source.STORE);
    }

    /**
     * Removes the stored role {@code name}; keys holding it lose its permissions (see the class comment).
     *
     * @throws StoreException.NotFound when no stored role has that name
     * @throws IllegalStateException   when the role is fixed (code or policy file), or the store keeps no roles
     * @throws AdminPolicy.Refused     without {@code keys:admin}
     */
    public void delete(String name, Actor actor) {
        policy.require(actor, Actor.Right.ADMIN);
        RoleStore store = writable(name);
        Optional<StoredRole> gone = store.delete(name);
        if (gone.isEmpty()) throw new StoreException.NotFound("no stored role of that name");
        written("role.delete", actor, name, Optional.of(gone.get().permissions()), Optional.empty(),
                Optional.of("keys holding the role keep its name, which grants nothing"));
    }

    private RoleStore writable(String name) {
        Optional<Roles.Source> fixed = catalog.fixed().sourceOf(name);
        if (fixed.isPresent()) {
            throw new IllegalStateException("the role is defined in " + (fixed.get() == Roles.Source.POLICY ? "the policy file" : "code")
                    + " (source " + fixed.get().wireName() + ") and is read-only here");
        }
        return catalog.store().orElseThrow(() -> new IllegalStateException("the key store keeps no roles: define them in code or the policy file"));
    }

    private void written(String action, Actor actor, String name, Optional<Set<String>> before, Optional<Set<String>> after, Optional<String> reason) {
        try {
            catalog.refresh();
        } catch (StoreException.Unavailable e) {
            // Committed: the verifier's next poll reads the change from the feed.
        }
        Audits.record(audit, new AuditEvent(clock.instant(), action, actor.id(), ALL_TENANTS, "role:" + name, reason,
                Map.of("permissions", List.of(Audits.display(before), Audits.display(after)))));
    }
}
