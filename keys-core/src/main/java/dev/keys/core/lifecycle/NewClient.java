package dev.keys.core.lifecycle;

import dev.keys.api.RateLimit;
import dev.keys.core.authz.Permissions;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/** What {@link ClientManager#create} needs: the body of {@code POST /clients}. */
public record NewClient(String name, String tenant, Set<String> roles, Set<String> permissions, List<RateLimit> ratelimits) {
    public NewClient {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tenant, "tenant");
        if (tenant.isBlank()) throw new IllegalArgumentException("tenant must not be blank");
        roles = Set.copyOf(roles);
        permissions = Set.copyOf(permissions);
        ratelimits = List.copyOf(ratelimits);
        for (String p : permissions) Permissions.validate(p);
        TimeInputs.ratelimits(ratelimits);
    }

    public static NewClient of(String name, String tenant, Set<String> permissions) {
        return new NewClient(name, tenant, Set.of(), permissions, List.of());
    }
}
