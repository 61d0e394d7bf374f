package dev.keys.api;

import java.util.List;
import java.util.Optional;

/**
 * Roles defined at run time (docs/contract.md §5, {@code PUT /roles/{name}}), kept beside the keys by a
 * {@link KeyStore} that offers them ({@link KeyStore#roles()}). Every write appends one {@link KeyChange#ROLES}
 * change to that key store's feed, in the same transaction, so that every verifier reading the feed reloads the
 * roles within its propagation bound. Thread-safe; any method may throw {@link StoreException.Unavailable}.
 */
public interface RoleStore {

    /** Every stored role, sorted by name. */
    List<StoredRole> list();

    Optional<StoredRole> find(String name);

    /**
     * Creates the role, or replaces the one of that name.
     *
     * @return the definition it replaced, empty when there was none
     */
    Optional<StoredRole> put(StoredRole role);

    /**
     * Removes the role of that name.
     *
     * @return the definition removed, empty when there was none (and nothing was appended to the feed)
     */
    Optional<StoredRole> delete(String name);
}
