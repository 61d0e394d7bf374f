package dev.keys.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An OAuth 2.0 client of the client-credentials grant (RFC 6749 §4.4), as stored: everything but the secret, which
 * exists only once, in the answer to create. Immutable; a change is a new instance with a higher {@code version}.
 * {@link #toString()} leaves out the digest.
 *
 * @param clientId     public identifier, sent by the client with its secret
 * @param tenant       the tenant the client belongs to; its tokens carry it
 * @param name         a human label
 * @param secretDigest digest of the client secret, as computed by the issuer's key hasher
 * @param roles        role names, flattened into permissions when a token is issued
 * @param permissions  permissions granted directly; a token's scope is these, or a subset implied by them
 * @param ratelimits   bandwidths applied to requests made with the client's tokens
 * @param status       {@code ACTIVE}, or {@code DISABLED} / {@code REVOKED}: no token is issued then
 * @param version      optimistic version, incremented by every update
 */
public record OAuthClient(
        String clientId,
        String tenant,
        String name,
        Digest secretDigest,
        Set<String> roles,
        Set<String> permissions,
        List<RateLimit> ratelimits,
        KeyStatus status,
        Instant createdAt,
        Instant updatedAt,
        long version) {

    public OAuthClient {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(secretDigest, "secretDigest");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        roles = Set.copyOf(roles);
        permissions = Set.copyOf(permissions);
        ratelimits = List.copyOf(ratelimits);
        for (int i = 0; i < ratelimits.size(); i++) {
            for (int j = i + 1; j < ratelimits.size(); j++) {
                if (ratelimits.get(i).name().equals(ratelimits.get(j).name()))
                    throw new IllegalArgumentException("rate limit name '" + ratelimits.get(i).name() + "' is used twice");
            }
        }
    }

    public boolean active() {
        return status == KeyStatus.ACTIVE;
    }

    public OAuthClient withStatus(KeyStatus s, Instant at) {
        return new OAuthClient(clientId, tenant, name, secretDigest, roles, permissions, ratelimits, s, createdAt, at, version);
    }

    @Override
    public String toString() {
        return "OAuthClient[clientId=" + clientId + ", tenant=" + tenant + ", name=" + name + ", roles=" + roles
                + ", permissions=" + permissions + ", ratelimits=" + ratelimits + ", status=" + status
                + ", createdAt=" + createdAt + ", version=" + version + "]";
    }
}
