package dev.keys.core.lifecycle;

import dev.keys.api.RateLimit;
import dev.keys.core.authz.Permissions;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** The mutable fields of a client ({@code PATCH /clients/{id}}); absent fields are left as they are. */
public record ClientUpdate(Optional<String> name, Optional<Set<String>> roles, Optional<Set<String>> permissions,
                           Optional<List<RateLimit>> ratelimits) {
    public static final ClientUpdate NONE = new ClientUpdate(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    public ClientUpdate {
        Objects.requireNonNull(name, "name");
        roles = roles.map(Set::copyOf);
        permissions = permissions.map(Set::copyOf);
        ratelimits = ratelimits.map(List::copyOf);
        permissions.ifPresent(ps -> ps.forEach(Permissions::validate));
        ratelimits.ifPresent(TimeInputs::ratelimits);
    }

    public ClientUpdate withName(String v) { return new ClientUpdate(Optional.of(v), roles, permissions, ratelimits); }

    public ClientUpdate withRoles(Set<String> v) { return new ClientUpdate(name, Optional.of(v), permissions, ratelimits); }

    public ClientUpdate withPermissions(Set<String> v) { return new ClientUpdate(name, roles, Optional.of(v), ratelimits); }

    public ClientUpdate withRatelimits(List<RateLimit> v) { return new ClientUpdate(name, roles, permissions, Optional.of(v)); }
}
