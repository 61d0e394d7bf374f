package dev.keys.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.keys.api.Outcome;
import dev.keys.api.UsageCounters;
import dev.keys.core.Keys;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static org.junit.jupiter.api.Assertions.*;

/**
 * After a full lifecycle (create, verify, update, rotate, revoke, usage counters, usage log, audit), no column of
 * any table holds a plaintext key or any 20-character piece of its secret.
 */
class NoPlaintextInDatabaseTest {

    abstract static class OnDatabase {
        abstract TestDb open();

        @Test
        void noTableHoldsAPlaintextKeyOrAPieceOfItsSecret() throws SQLException {
            try (TestDb db = open()) {
                HikariDataSource pool = db.pool(2);
                List<String> plaintexts = new ArrayList<>();
                try (JdbcStores stores = JdbcStores.builder(pool).build();
                     Keys keys = Keys.builder().store(stores.keyStore()).audit(stores.auditLog())
                             .verifier(v -> v.usageSink(stores.usageLog())).build()) {
                    IssuedKey k = keys.manager().create(NewKey.builder("sk_live").ownerId("o").tenant("t").permissions("documents:read")
                            .remaining(10).build(), SYSTEM);
                    plaintexts.add(k.plaintext());
                    assertEquals(Outcome.VALID, keys.verifier().verify(k.plaintext()).outcome());
                    keys.manager().update(k.key().id(), b -> b.name("renamed").permissions(Set.of("documents:*")), SYSTEM);
                    stores.usageCounters().tryAddAll(k.key().id(), List.of(new UsageCounters.Increment("uses", 0, 1, 10)));
                    IssuedKey r = keys.manager().rotate(k.key().id(), Duration.ofMinutes(5), SYSTEM);
                    plaintexts.add(r.plaintext());
                    assertEquals(Outcome.VALID, keys.verifier().verify(r.plaintext()).outcome());
                    keys.manager().revoke(r.key().id(), SYSTEM, Optional.of("leaked"));
                    assertEquals(Outcome.REVOKED, keys.verifier().verify(r.plaintext()).outcome());
                    IssuedKey other = keys.manager().create(NewKey.builder("acme_test").build(), SYSTEM);
                    plaintexts.add(other.plaintext());
                    stores.usageLog().flush();
                }
                List<String> needles = new ArrayList<>();
                for (String p : plaintexts) {
                    needles.add(p);
                    String secret = p.substring(p.lastIndexOf('_') + 1, p.length() - 6);
                    for (int i = 0; i + 20 <= secret.length(); i++) needles.add(secret.substring(i, i + 20));
                }
                int cells = scan(pool, needles);
                assertTrue(cells > 50, "the scan saw the data: " + cells + " cells");
            }
        }

        /** Reads every column of every table in the current schema; answers the number of non-null cells. */
        static int scan(HikariDataSource pool, List<String> needles) throws SQLException {
            int cells = 0;
            try (Connection c = pool.getConnection()) {
                List<String> tables = new ArrayList<>();
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA")) {
                    while (rs.next()) tables.add(rs.getString(1));
                }
                assertTrue(tables.size() >= 7, "all the store's tables: " + tables);
                for (String t : tables) {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + t)) {
                        int n = rs.getMetaData().getColumnCount();
                        while (rs.next()) {
                            for (int i = 1; i <= n; i++) {
                                Object v = rs.getObject(i);
                                if (v == null) continue;
                                cells++;
                                List<String> forms = new ArrayList<>();
                                if (v instanceof byte[] bytes) {
                                    forms.add(new String(bytes, StandardCharsets.ISO_8859_1));
                                    forms.add(HexFormat.of().formatHex(bytes));
                                } else {
                                    forms.add(String.valueOf(v));
                                }
                                for (String f : forms) {
                                    for (String needle : needles) {
                                        assertFalse(f.contains(needle), t + "." + rs.getMetaData().getColumnName(i) + " holds a secret");
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return cells;
        }
    }

    @Nested
    class H2 extends OnDatabase {
        @Override
        TestDb open() {
            return TestDb.h2();
        }
    }

    @Nested
    class Postgres extends OnDatabase {
        @Override
        TestDb open() {
            return TestDb.postgres();
        }
    }
}
