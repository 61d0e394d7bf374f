package dev.keys.api;

import java.util.List;
import java.util.Optional;

/**
 * Where keys live. Implementations are thread-safe. Any method may throw {@link StoreException.Unavailable} when
 * the backing system cannot answer; the verifier turns that into {@code STORE_UNAVAILABLE}, never into a valid or
 * invalid key.
 */
public interface KeyStore {

    Optional<ApiKey> findByDigest(Digest digest);

    Optional<ApiKey> findById(String id);

    /**
     * Stores a new key with version 1.
     *
     * @throws StoreException.Duplicate when the id or the digest exists already
     */
    ApiKey create(ApiKey key);

    /**
     * Optimistic replace: the caller passes the key it read, changed, with the version it read; the store writes it
     * with {@code version + 1} only if the stored version is still that one.
     *
     * @return the stored key with its new version
     * @throws StoreException.Conflict when the stored version differs (someone else changed the key; re-read and retry)
     * @throws StoreException.NotFound when there is no such key
     */
    ApiKey update(ApiKey key);

    /**
     * Erases a key (docs/contract.md §5, {@code DELETE /keys/{keyId}}): afterwards no read finds it by id, digest or
     * listing, and the row with its digest is gone. One change is appended to the feed with the key's digest, so that
     * other instances drop their cached entry; the feed keeps that digest only until its retention passes.
     *
     * <p>A default for stores written before erasure existed: they refuse. {@code KeyStoreSpec} holds a store to it.
     *
     * @return whether there was such a key
     * @throws UnsupportedOperationException when the store cannot erase
     */
    default boolean delete(String id) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot erase keys");
    }

    /** Keys in a stable order (by id), filtered by the query. */
    Page<ApiKey> list(KeyQuery query);

    /**
     * Changes with a sequence greater than {@code afterSequence}, oldest first, at most {@code limit}. A verifier
     * polls this to drop cache entries changed by another instance.
     */
    List<KeyChange> changesSince(long afterSequence, int limit);

    /** The newest sequence number, 0 when nothing has changed yet. */
    long lastSequence();

    /**
     * The roles defined at run time, when this store keeps them; their changes are on this store's feed
     * ({@link KeyChange#ROLES}). A store that wraps another passes its roles on. Default: none kept.
     */
    default Optional<RoleStore> roles() {
        return Optional.empty();
    }
}
