package dev.keys.core.authz;

import java.util.Objects;

/** An authorization policy as loaded by {@code dev.keys.servlet.PolicyLoader}: roles, routes and the trusted proxies. Immutable. */
public record Policy(Roles roles, RouteTable routes, TrustedProxies trustedProxies) {
    public Policy {
        Objects.requireNonNull(roles, "roles");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(trustedProxies, "trustedProxies");
    }
}
