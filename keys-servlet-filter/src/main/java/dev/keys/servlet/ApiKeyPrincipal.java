package dev.keys.servlet;

import dev.keys.api.ApiKey;

import java.security.Principal;
import java.util.Objects;

/**
 * The principal of a request admitted by {@link ApiKeyFilter}: named by the key's id (never the secret), with the
 * stored key for its owner, tenant, roles and permissions.
 */
public record ApiKeyPrincipal(ApiKey key) implements Principal {
    public ApiKeyPrincipal {
        Objects.requireNonNull(key, "key");
    }

    /** The key id. */
    @Override
    public String getName() {
        return key.id();
    }

    @Override
    public String toString() {
        return "ApiKeyPrincipal[" + key.id() + "]";
    }
}
