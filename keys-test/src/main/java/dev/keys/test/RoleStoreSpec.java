package dev.keys.test;

import dev.keys.api.KeyChange;
import dev.keys.api.KeyStore;
import dev.keys.api.RoleStore;
import dev.keys.api.StoredRole;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The behaviour every {@link RoleStore} must have, as the {@link KeyStore#roles()} of its key store: roles kept by
 * name, every write on the key store's change feed as one {@link KeyChange#ROLES}, so that verifiers reload them. A
 * store's test extends this and supplies an empty key store that keeps roles; memory, H2 and PostgreSQL run it.
 */
public abstract class RoleStoreSpec {
    protected KeyStore keys;
    protected RoleStore roles;

    /** An empty key store whose {@link KeyStore#roles()} is present. */
    protected abstract KeyStore newStore();

    @BeforeEach
    void setUpStore() {
        keys = newStore();
        roles = keys.roles().orElseThrow(() -> new AssertionError("the store keeps no roles"));
    }

    @Test
    void anEmptyStoreHasNoRoles() {
        assertEquals(List.of(), roles.list());
        assertEquals(Optional.empty(), roles.find("reader"));
        assertEquals(Optional.empty(), roles.delete("reader"));
    }

    @Test
    void putCreatesThenReplacesAndAnswersWhatItReplaced() {
        StoredRole first = new StoredRole("reader", Set.of("documents:read"));
        assertEquals(Optional.empty(), roles.put(first));
        assertEquals(Optional.of(first), roles.find("reader"));
        StoredRole second = new StoredRole("reader", Set.of("documents:read", "documents:list:*", "hello:read"));
        assertEquals(Optional.of(first), roles.put(second));
        assertEquals(Optional.of(second), roles.find("reader"));
        assertEquals(List.of(second), roles.list());
    }

    @Test
    void rolesListSortedByNameAndNamesAreCaseSensitive() {
        roles.put(new StoredRole("writer", Set.of("documents:write")));
        roles.put(new StoredRole("Auditor", Set.of("audit:read")));
        roles.put(new StoredRole("auditor", Set.of()));
        assertEquals(List.of("Auditor", "auditor", "writer"), roles.list().stream().map(StoredRole::name).toList());
        assertEquals(Set.of(), roles.find("auditor").orElseThrow().permissions());
    }

    @Test
    void deleteRemovesAndAnswersWhatItRemoved() {
        StoredRole r = new StoredRole("billing.admin:v2", Set.of("billing:*"));
        roles.put(r);
        assertEquals(Optional.of(r), roles.delete("billing.admin:v2"));
        assertEquals(Optional.empty(), roles.find("billing.admin:v2"));
        assertEquals(Optional.empty(), roles.delete("billing.admin:v2"));
    }

    @Test
    void everyWriteIsOneRolesChangeOnTheKeyFeedAndAMissedDeleteNone() {
        long before = keys.lastSequence();
        roles.put(new StoredRole("reader", Set.of("documents:read")));
        roles.put(new StoredRole("reader", Set.of("documents:read", "hello:read")));
        roles.delete("reader");
        roles.delete("reader");
        List<KeyChange> changes = keys.changesSince(before, 100);
        assertEquals(3, changes.size());
        for (KeyChange c : changes) {
            assertTrue(c.changesRoles(), c.toString());
            assertFalse(c.resetsAll());
        }
        assertEquals(before + 3, keys.lastSequence());
    }

    @Test
    void rolesAndKeysShareOneFeedInWriteOrder() {
        long before = keys.lastSequence();
        roles.put(new StoredRole("reader", Set.of("documents:read")));
        keys.create(KeyStoreSpec.sample("t", "o"));
        roles.put(new StoredRole("writer", Set.of("documents:write")));
        List<KeyChange> changes = keys.changesSince(before, 100);
        assertEquals(List.of(true, false, true), changes.stream().map(KeyChange::changesRoles).toList());
    }
}
