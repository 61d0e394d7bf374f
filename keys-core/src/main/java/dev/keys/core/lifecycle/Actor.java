package dev.keys.core.lifecycle;

import java.util.Objects;
import java.util.Optional;

/**
 * Who makes a change through a {@link KeyManager} or a {@link ClientManager}: the id recorded as the audit actor,
 * and the reach the {@link AdminPolicy} gives it. An admin (a caller holding {@code keys:admin}, or the system)
 * reaches every tenant; a manager (holding {@code keys:manage}) reaches its own tenant only.
 *
 * @param id     the caller's key id, or a name such as {@value KeyManager#SYSTEM}
 * @param tenant the caller's tenant; empty only for a system actor
 * @param admin  whether the actor holds {@code keys:admin}
 */
public record Actor(String id, Optional<String> tenant, boolean admin) {
    /** The library itself and code that acts with no caller: every tenant, every grant. */
    public static final Actor SYSTEM = system(KeyManager.SYSTEM);

    public Actor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        if (!admin && tenant.isEmpty()) throw new IllegalArgumentException("a manager acts in a tenant");
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

    /** Whether this actor sees and changes what belongs to {@code tenant}. */
    public boolean reaches(String tenant) {
        return admin || this.tenant.get().equals(tenant);
    }
}
