package dev.keys.api;

import java.util.Objects;
import java.util.Set;

/**
 * A role defined at run time and kept in a {@link RoleStore}: a name and the permissions it grants. The syntax of
 * both is the core's (names of 1 to 64 of {@code [A-Za-z0-9._:-]}, permissions {@code resource:action[:instance]});
 * stores keep what they are given.
 */
public record StoredRole(String name, Set<String> permissions) {
    public StoredRole {
        Objects.requireNonNull(name, "name");
        permissions = Set.copyOf(permissions);
    }
}
