package dev.keys.core.lifecycle;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who makes a change through a {@link KeyManager} or a {@link ClientManager}: the id recorded as the audit actor,
 * and the reach and rights the {@link AdminPolicy} gives it (docs/contract.md §5). An admin (a caller holding
 * {@code keys:admin}, or the system) reaches every tenant with every right; the others reach their own tenant only:
 * a manager ({@code keys:manage}) reads, verifies and changes, a reader ({@code keys:read}) only reads, a verifier
 * ({@code keys:verify}) only verifies. A self-service caller ({@code keys:self}) reads and rotates only the keys of
 * its own tenant and owner; without {@code READ} it is {@linkplain #confined() confined} to them.
 *
 * @param id     the caller's key id, or a name such as {@value KeyManager#SYSTEM}
 * @param tenant the caller's tenant; empty only for a system actor
 * @param rights what the actor may do, closed under implication ({@code ADMIN} holds all, {@code MANAGE} holds
 *               {@code READ} and {@code VERIFY}); never empty
 * @param owner  the {@code ownerId} whose keys a {@code SELF} caller owns; present exactly when it holds {@code SELF}
 *               (an admin aside, which holds every right and owns nothing)
 */
public record Actor(String id, Optional<String> tenant, Set<Right> rights, Optional<String> owner) {
    /** The library itself and code that acts with no caller: every tenant, every grant. */
    public static final Actor SYSTEM = system(KeyManager.SYSTEM);

    /** The admin rights, each held by the permission {@link #permission()} names. */
    public enum Right {
        ADMIN(AdminPolicy.ADMIN), MANAGE(AdminPolicy.MANAGE), READ(AdminPolicy.READ), VERIFY(AdminPolicy.VERIFY), SELF(AdminPolicy.SELF);

        private final String permission;

        Right(String permission) {
            this.permission = permission;
        }

        /** The permission that holds this right, e.g. {@code keys:read}. */
        public String permission() {
            return permission;
        }
    }

    public Actor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(owner, "owner");
        if (rights.isEmpty()) throw new IllegalArgumentException("an actor holds at least one right");
        EnumSet<Right> closed = EnumSet.copyOf(rights);
        if (closed.contains(Right.ADMIN)) closed = EnumSet.allOf(Right.class);
        else if (closed.contains(Right.MANAGE)) closed.addAll(EnumSet.of(Right.READ, Right.VERIFY));
        rights = Set.copyOf(closed);
        if (!closed.contains(Right.ADMIN) && tenant.isEmpty()) throw new IllegalArgumentException("only an admin acts outside a tenant");
        if (!closed.contains(Right.ADMIN) && closed.contains(Right.SELF) != owner.filter(o -> !o.isBlank()).isPresent()) {
            throw new IllegalArgumentException("a " + AdminPolicy.SELF + " actor, and only one, names the owner it acts for");
        }
    }

    /** An actor without {@code SELF}. */
    public Actor(String id, Optional<String> tenant, Set<Right> rights) {
        this(id, tenant, rights, Optional.empty());
    }

    /** An admin ({@code admin}) or a manager, as before the finer rights. */
    public Actor(String id, Optional<String> tenant, boolean admin) {
        this(id, tenant, EnumSet.of(admin ? Right.ADMIN : Right.MANAGE));
    }

    /** A system actor named {@code id}: what the {@code String} actor overloads of the managers mean. */
    public static Actor system(String id) {
        return new Actor(id, Optional.empty(), true);
    }

    /** A caller holding {@code keys:admin}. */
    public static Actor admin(String id, String tenant) {
        return new Actor(id, Optional.of(tenant), true);
    }

    /** A caller holding {@code keys:manage}, confined to {@code tenant}. */
    public static Actor manager(String id, String tenant) {
        return new Actor(id, Optional.of(tenant), false);
    }

    /** A caller holding {@code rights} (at least one) in {@code tenant}. */
    public static Actor of(String id, String tenant, Set<Right> rights) {
        return new Actor(id, Optional.of(tenant), rights);
    }

    /** A caller holding {@code rights} in {@code tenant}, {@code SELF} among them, for the keys of {@code owner}. */
    public static Actor self(String id, String tenant, String owner, Set<Right> rights) {
        return new Actor(id, Optional.of(tenant), rights, Optional.of(owner));
    }

    /** Whether the actor holds {@code keys:admin} (or is the system). */
    public boolean admin() {
        return rights.contains(Right.ADMIN);
    }

    /** Whether the actor holds {@code right}. */
    public boolean may(Right right) {
        return rights.contains(right);
    }

    /** Whether this actor sees and changes what belongs to {@code tenant}. */
    public boolean reaches(String tenant) {
        return admin() || this.tenant.get().equals(tenant);
    }

    /**
     * Whether the actor sees only its own keys: it holds {@code SELF} and not {@code READ}, so that everything it may
     * read is a key of its tenant and owner (and that key's usage and audit).
     */
    public boolean confined() {
        return rights.contains(Right.SELF) && !rights.contains(Right.READ);
    }

    /** Whether a {@code SELF} actor owns the keys of {@code tenant} and {@code ownerId}. */
    public boolean owns(String tenant, String ownerId) {
        return owner.isPresent() && this.tenant.equals(Optional.of(tenant)) && owner.get().equals(ownerId);
    }

    /** Whether this actor sees a key of {@code tenant} and {@code ownerId}: its tenant's, and a confined one its own. */
    public boolean reaches(String tenant, String ownerId) {
        return confined() ? owns(tenant, ownerId) : reaches(tenant);
    }

    /** Whether this is a caller of the admin API (or of code acting for one) rather than the system. */
    boolean caller() {
        return tenant.isPresent();
    }
}
