package dev.keys.api;

import java.util.Optional;

/**
 * Where OAuth clients live. Implementations are thread-safe. Any method may throw
 * {@link StoreException.Unavailable} when the backing system cannot answer; the token endpoint then answers a
 * server error, never a token.
 */
public interface ClientStore {

    Optional<OAuthClient> findById(String clientId);

    /**
     * Stores a new client with version 1.
     *
     * @throws StoreException.Duplicate when the client id exists already
     */
    OAuthClient create(OAuthClient client);

    /**
     * Optimistic replace: the caller passes the client it read, changed, with the version it read; the store writes
     * it with {@code version + 1} only if the stored version is still that one.
     *
     * @return the stored client with its new version
     * @throws StoreException.Conflict when the stored version differs
     * @throws StoreException.NotFound when there is no such client
     */
    OAuthClient update(OAuthClient client);

    /**
     * Clients in a stable order (by client id), of one tenant when {@code tenant} is present, at most {@code limit},
     * starting after the opaque {@code cursor} of a previous page.
     */
    Page<OAuthClient> list(Optional<String> tenant, int limit, Optional<String> cursor);
}
