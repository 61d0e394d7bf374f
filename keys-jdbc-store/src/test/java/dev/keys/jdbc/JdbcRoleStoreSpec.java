package dev.keys.jdbc;

import dev.keys.api.KeyStore;
import dev.keys.api.StoredRole;
import dev.keys.test.RoleStoreSpec;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The role store spec of keys-test, plus what only a database adds, on the database of {@link JdbcSpecs}. */
abstract class JdbcRoleStoreSpec extends RoleStoreSpec {
    @Override
    protected KeyStore newStore() {
        return JdbcSpecs.fresh().keyStore();
    }

    @Test
    void anotherInstanceOnTheSameDatabaseSeesTheRolesAndTheirChanges() {
        KeyStore other = JdbcStores.builder(JdbcSpecs.otherPool).build().keyStore();
        long before = other.lastSequence();
        roles.put(new StoredRole("reader", Set.of("documents:read")));
        assertEquals(List.of(new StoredRole("reader", Set.of("documents:read"))), other.roles().orElseThrow().list());
        assertTrue(other.changesSince(before, 10).get(0).changesRoles());
    }

    @Test
    void concurrentPutsAndDeletesOfOneNameNeitherFailNorLoseAChange() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            long before = keys.lastSequence();
            List<Future<Integer>> writers = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int n = t;
                writers.add(pool.submit(() -> {
                    int changes = 0;
                    for (int i = 0; i < 10; i++) {
                        roles.put(new StoredRole("shared", Set.of("w" + n + ":i" + i)));
                        changes++;
                        if (roles.delete("shared").isPresent()) changes++;
                    }
                    return changes;
                }));
            }
            int total = 0;
            for (Future<Integer> f : writers) total += f.get(60, TimeUnit.SECONDS);
            assertEquals(total, keys.changesSince(before, 1000).size(), "one change per write that happened");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRowWrittenAroundTheApiReadsBackAsStored() throws Exception {
        try (Connection c = JdbcSpecs.pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO keys_role (name, permissions, updated_at) VALUES ('ops', '[\"ops:*\",\"not valid\"]', CURRENT_TIMESTAMP)")) {
            ps.executeUpdate();
        }
        assertEquals(Set.of("ops:*", "not valid"), roles.find("ops").orElseThrow().permissions(), "the store keeps what it holds; the core judges it");
    }
}
