package dev.keys.core.authz;

import dev.keys.api.KeyChange;
import dev.keys.api.KeyStore;
import dev.keys.api.RoleStore;
import dev.keys.api.StoredRole;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The roles keys may hold: the fixed ones (code or a policy file, read-only) and, when the key store keeps roles
 * ({@link KeyStore#roles()}), those defined at run time. {@link #current()} is an immutable {@link Roles} of both,
 * replaced, never changed, when the stored ones are reloaded; a fixed role wins over a stored one of the same name.
 *
 * <p>Consistency: the stored roles are reloaded by {@link #refresh()}, which a verifier calls when its change-feed
 * poll meets a {@link KeyChange#ROLES} change (or falls behind the feed), and a {@code RoleManager} of this process
 * after each write; so a role change holds on every instance within the propagation bound. Catalogs made with
 * {@link #withFixed} share the stored part, so that the admin API's rules and the verifier see one state.
 *
 * <p>Failure: until the stored roles could be read once ({@link #loaded()}), only the fixed ones are defined, so
 * that a key holding a stored role is granted nothing (fail closed) rather than something stale. A stored role that
 * is not valid (a row written around the API) is left out and logged, never thrown. Thread-safe.
 */
public final class RoleCatalog {
    private static final System.Logger LOG = System.getLogger(RoleCatalog.class.getName());

    private final Roles fixed;
    private final Stored stored;
    /** The merge of {@link #fixed} with the stored roles it was made from. */
    private volatile Merged merged;

    private record Merged(Roles from, Roles roles) {
    }

    /** The stored roles as last read, shared by every catalog over one store. */
    private static final class Stored {
        final RoleStore store;
        volatile Roles roles;

        Stored(RoleStore store) {
            this.store = store;
        }

        synchronized void refresh() {
            List<StoredRole> all = store.list();
            Roles.Builder b = Roles.builder().source(Roles.Source.STORE);
            for (StoredRole r : all) {
                try {
                    b.role(r.name(), r.permissions());
                } catch (IllegalArgumentException e) {
                    LOG.log(System.Logger.Level.WARNING, "keys: a stored role is not valid and grants nothing: " + e.getMessage());
                }
            }
            roles = b.build();
        }
    }

    private RoleCatalog(Roles fixed, Stored stored) {
        this.fixed = Objects.requireNonNull(fixed, "fixed roles");
        this.stored = stored;
        this.merged = new Merged(null, fixed);
    }

    /** Fixed roles only. */
    public static RoleCatalog of(Roles fixed) {
        return new RoleCatalog(fixed, null);
    }

    /** The fixed roles and those {@code store} keeps, if it keeps any; not read yet (see {@link #refresh()}). */
    public static RoleCatalog of(Roles fixed, KeyStore store) {
        return new RoleCatalog(fixed, store.roles().map(Stored::new).orElse(null));
    }

    /** A catalog of other fixed roles over the same stored ones (read and refreshed together with this one's). */
    public RoleCatalog withFixed(Roles otherFixed) {
        return otherFixed == fixed ? this : new RoleCatalog(otherFixed, stored);
    }

    /** The roles defined now. Two volatile reads while nothing changed; allocation-free. */
    public Roles current() {
        if (stored == null) return fixed;
        Roles s = stored.roles;
        Merged m = merged;
        if (m.from == s) return m.roles;
        return merge(s);
    }

    private Roles merge(Roles s) {
        Roles.Builder b = Roles.builder().addAll(fixed);
        Roles.Builder only = Roles.builder().source(Roles.Source.STORE);
        for (String name : s.names()) {
            if (fixed.sourceOf(name).isEmpty()) only.role(name, s.permissionsOf(name).orElseThrow());
        }
        Roles roles = b.addAll(only.build()).build();
        merged = new Merged(s, roles);
        return roles;
    }

    /** The roles of code or the policy file. */
    public Roles fixed() {
        return fixed;
    }

    /** Where roles are stored at run time, when they are. */
    public Optional<RoleStore> store() {
        return stored == null ? Optional.empty() : Optional.of(stored.store);
    }

    /** Whether the stored roles were read (always true without a store). */
    public boolean loaded() {
        return stored == null || stored.roles != null;
    }

    /**
     * Reads the stored roles again; nothing to do without a store.
     *
     * @throws dev.keys.api.StoreException.Unavailable when the store cannot answer (the roles read before stay)
     */
    public void refresh() {
        if (stored != null) stored.refresh();
    }

    /**
     * What a change of the feed means for the roles: reloads them for a {@link KeyChange#ROLES} change, or for a
     * {@link KeyChange#ALL} (a reader behind the feed may have missed one). Answers whether the change was about
     * roles only, so that the reader has nothing else to do.
     *
     * @throws dev.keys.api.StoreException.Unavailable when the store cannot answer
     */
    public boolean apply(KeyChange c) {
        if (c.resetsAll() || c.changesRoles() || !loaded()) refresh();
        return c.changesRoles();
    }
}
