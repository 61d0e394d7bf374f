package dev.keys.core.authz;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An authorization policy as loaded by {@code dev.keys.servlet.PolicyLoader}: roles, routes, the trusted proxies,
 * and the tenants' ceilings (what each tenant's managers may grant, docs/contract.md §5; a tenant without one has
 * the default ceiling of {@code dev.keys.core.lifecycle.AdminPolicy}). Immutable.
 */
public record Policy(Roles roles, RouteTable routes, TrustedProxies trustedProxies, Map<String, Ceiling> ceilings) {
    public Policy {
        Objects.requireNonNull(roles, "roles");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(trustedProxies, "trustedProxies");
        ceilings = Map.copyOf(ceilings);
    }

    /** A policy without ceilings of its own: every tenant has the default one. */
    public Policy(Roles roles, RouteTable routes, TrustedProxies trustedProxies) {
        this(roles, routes, trustedProxies, Map.of());
    }

    /**
     * What the managers of one tenant may grant: permissions (a wildcard among them covers what it implies, see
     * {@link Permissions}) and role names.
     */
    public record Ceiling(Set<String> permissions, Set<String> roles) {
        public Ceiling {
            permissions = Set.copyOf(permissions);
            roles = Set.copyOf(roles);
            for (String p : permissions) Permissions.validate(p);
        }
    }
}
