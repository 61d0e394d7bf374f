package dev.keys.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.keys.api.ApiKey;
import dev.keys.api.AuditEvent;
import dev.keys.api.AuditQuery;
import dev.keys.api.Clock;
import dev.keys.api.KeyStatus;
import dev.keys.api.KeyUsageTotal;
import dev.keys.api.Outcome;
import dev.keys.api.Page;
import dev.keys.api.UsageEvent;
import dev.keys.core.Keys;
import dev.keys.test.ManualClock;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.ops.SweepReport;
import dev.keys.core.ops.Sweeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Operations on H2 and PostgreSQL: sweeps of two instances sharing a lease, unused keys from the last use, top
 * consumers, audit queries and the audit trail. The lease's and last use's own behaviour is keys-test's spec
 * ({@link JdbcSpecs}).
 */
class JdbcOpsTest {
    static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class OnDatabase {
        TestDb db;
        HikariDataSource pool;
        ManualClock clock;
        JdbcStores stores;
        final List<AutoCloseable> closing = new ArrayList<>();

        abstract TestDb open();

        @BeforeAll
        void up() {
            db = open();
            pool = db.pool(8);
        }

        @AfterAll
        void down() {
            if (db != null) db.close();
        }

        @BeforeEach
        void clear() {
            TestDb.clear(pool);
            clock = new ManualClock(T0);
            stores = JdbcStores.builder(pool).clock(clock).usageFlushInterval(Duration.ZERO).build();
        }

        @AfterEach
        void closeAll() throws Exception {
            for (AutoCloseable c : closing) c.close();
            closing.clear();
        }

        /** One service instance: its own pool and stores on the shared database, the shared clock. */
        Keys instance(JdbcStores s) {
            Keys k = Keys.builder().store(s.keyStore()).audit(s.auditLog()).clock(clock)
                    .verifier(v -> v.syncInterval(Duration.ZERO).usageSink(s.usageLog())).build();
            closing.add(k);
            return k;
        }

        JdbcStores stores(DataSource ds) {
            JdbcStores s = JdbcStores.builder(ds).clock(clock).usageFlushInterval(Duration.ZERO).build();
            closing.add(s);
            return s;
        }

        List<AuditEvent> audit(String action) {
            return stores.auditLog().find(AuditQuery.all(1000).actions(Set.of(action))).items();
        }

        @Test
        void ofTwoSweepersOnOneDatabaseOnlyOneRunsARound() {
            JdbcStores sa = stores(db.pool(2)), sb = stores(db.pool(2));
            Keys a = instance(sa), b = instance(sb);
            IssuedKey expired = a.manager().create(NewKey.builder("sk_live").tenant("acme").expiresAt(T0).build(), "key_admin");
            Sweeper sweepA = Sweeper.builder(a.manager(), a.store(), sa.lease()).clock(clock).owner("instance-a")
                    .interval(Duration.ofMinutes(10)).archiveExpiredAfter(Duration.ZERO).build();
            Sweeper sweepB = Sweeper.builder(b.manager(), b.store(), sb.lease()).clock(clock).owner("instance-b")
                    .interval(Duration.ofMinutes(10)).archiveExpiredAfter(Duration.ZERO).build();
            try (sweepA; sweepB) {
                SweepReport first = sweepA.runOnce();
                assertEquals(List.of(expired.key().id()), first.archived());
                assertFalse(sweepB.runOnce().ran());
                clock.advance(Duration.ofMinutes(10));
                assertTrue(sweepA.runOnce().ran(), "the holder renews");
                assertFalse(sweepB.runOnce().ran());
                clock.advance(Duration.ofMinutes(20)); // a stopped: its lease (twice the interval) ran out
                assertTrue(sweepB.runOnce().ran());
                assertFalse(sweepA.runOnce().ran());
                sweepB.close();
                assertTrue(sweepA.runOnce().ran(), "released on close");
            }
            assertEquals(KeyStatus.REVOKED, b.store().findById(expired.key().id()).orElseThrow().status());
            List<AuditEvent> revokes = audit("revoke");
            assertEquals(1, revokes.size(), "archived once");
            assertEquals(KeyManager.SYSTEM, revokes.get(0).actor());
            assertEquals(Optional.of(Sweeper.EXPIRED_RETENTION), revokes.get(0).reason());
        }

        @Test
        void unusedKeysAreDisabledFromTheUsageLogsLastUse() {
            Keys keys = instance(stores);
            IssuedKey used = keys.manager().create(NewKey.builder("sk_live").tenant("acme").build(), "key_admin");
            IssuedKey never = keys.manager().create(NewKey.builder("sk_live").tenant("acme").build(), "key_admin");
            clock.advance(Duration.ofDays(20).plusSeconds(42));
            assertTrue(keys.verifier().verify(used.plaintext()).isValid());
            stores.usageLog().flush();
            JdbcLastUse lastUse = stores.lastUse();
            assertEquals(Optional.of(T0.plus(Duration.ofDays(20))), lastUse.lastUse(used.key().id()), "to the minute");
            assertEquals(Optional.empty(), lastUse.lastUse(never.key().id()));
            assertEquals(Map.of(used.key().id(), T0.plus(Duration.ofDays(20))), lastUse.lastUses(List.of(used.key().id(), never.key().id(), "key_none")));
            clock.advance(Duration.ofDays(11));
            try (Sweeper s = Sweeper.builder(keys.manager(), keys.store(), stores.lease()).clock(clock)
                    .disableUnusedAfter(Duration.ofDays(30), lastUse).build()) {
                assertEquals(List.of(never.key().id()), s.runOnce().disabled());
            }
            assertEquals(Outcome.DISABLED, keys.verifier().verify(never.plaintext()).outcome());
            AuditEvent e = audit("disable").get(0);
            assertEquals(KeyManager.SYSTEM, e.actor());
            assertTrue(e.reason().orElseThrow().contains("unused since"), e.reason().toString());
        }

        @Test
        void topConsumersOfATenantByAdmittedVerifications() {
            Keys keys = instance(stores);
            List<String> ids = new ArrayList<>();
            for (String owner : List.of("alice", "bob", "carol")) {
                ids.add(keys.manager().create(NewKey.builder("sk_live").tenant("t1").ownerId(owner).build(), "key_admin").key().id());
            }
            String other = keys.manager().create(NewKey.builder("sk_live").tenant("t2").ownerId("dave").build(), "key_admin").key().id();
            JdbcUsageLog log = stores.usageLog();
            record(log, ids.get(0), Outcome.VALID, 3, T0);
            record(log, ids.get(0), Outcome.RATE_LIMITED, 50, T0);
            record(log, ids.get(1), Outcome.VALID, 5, T0.plusSeconds(3600));
            record(log, ids.get(2), Outcome.VALID, 1, T0);
            record(log, ids.get(2), Outcome.VALID, 100, T0.plus(Duration.ofDays(2)));
            record(log, other, Outcome.VALID, 1000, T0);
            log.flush();
            Instant to = T0.plus(Duration.ofDays(1));
            assertEquals(List.of(new KeyUsageTotal(ids.get(1), "bob", 5), new KeyUsageTotal(ids.get(0), "alice", 3)),
                    log.topConsumers("t1", T0, to, 2));
            assertEquals(3, log.topConsumers("t1", T0, to, 10).size());
            assertEquals(List.of(new KeyUsageTotal(ids.get(2), "carol", 101)), log.topConsumers("t1", T0, T0.plus(Duration.ofDays(3)), 1));
            assertEquals(List.of(), log.topConsumers("t3", T0, to, 5));
            assertThrows(IllegalArgumentException.class, () -> log.topConsumers("t1", T0, to, 0));
        }

        static void record(JdbcUsageLog log, String keyId, Outcome o, int times, Instant at) {
            for (int i = 0; i < times; i++) log.record(new UsageEvent(keyId, "t", o, Clock.toNanos(at)));
        }

        @Test
        void auditQueriesFilterByActionAndTimeAndPage() {
            JdbcAuditLog log = stores.auditLog();
            for (int i = 0; i < 12; i++) {
                String action = List.of("create", "update", "revoke").get(i % 3);
                log.record(new AuditEvent(T0.plusSeconds(60L * i), action, "system", i < 6 ? "a" : "b", "key_" + (i % 2), Optional.empty(), Map.of()));
            }
            List<AuditEvent> seen = new ArrayList<>();
            AuditQuery q = AuditQuery.all(2).actions(Set.of("create", "revoke")).between(T0.plusSeconds(60), T0.plusSeconds(600));
            Optional<String> cursor = Optional.empty();
            do {
                Page<AuditEvent> p = log.find(cursor.map(q::after).orElse(q));
                seen.addAll(p.items());
                cursor = p.nextCursor();
            } while (cursor.isPresent());
            // i in [1, 10) with i % 3 in {0, 2}: 2, 3, 5, 6, 8, 9, newest first
            assertEquals(List.of(9, 8, 6, 5, 3, 2), seen.stream().map(e -> (int) (e.at().getEpochSecond() - T0.getEpochSecond()) / 60).toList());
            assertEquals(2, log.find(AuditQuery.all(100).tenant("a").keyId("key_1").actions(Set.of("update", "create"))).items().size());
            assertEquals(12, log.find(AuditQuery.all(100)).items().size());
        }

        @Test
        void theAuditTrailIsOnlyAppendedToAndHoldsNoSecretOrDigest() throws Exception {
            List<String> sql = Collections.synchronizedList(new ArrayList<>());
            JdbcStores recorded = stores(new RecordingDataSource(pool, sql));
            Keys keys = Keys.builder().store(recorded.keyStore()).audit(recorded.auditLog()).clock(clock)
                    .verifier(v -> v.syncInterval(Duration.ZERO).acceptImportedKeys(true)).build();
            closing.add(keys);
            KeyManager m = keys.manager();
            IssuedKey a = m.create(NewKey.builder("sk_live").tenant("acme").requiresApproval(true).build(), "key_admin");
            m.reject(a.key().id(), "key_admin", Optional.of("not yet"));
            m.approve(a.key().id(), "key_admin", Optional.of("ok now"));
            m.update(a.key().id(), b -> b.name("renamed").permissions(Set.of("documents:read")), "key_admin");
            m.disable(a.key().id(), "key_admin", Optional.of("pause"));
            m.enable(a.key().id(), "key_admin");
            IssuedKey rotated = m.rotate(a.key().id(), Duration.ofHours(1), "key_admin");
            m.revoke(rotated.key().id(), "key_admin", Optional.of("leaked"));
            String imported = "legacy-" + "Zq8vR2mKx7pL4nT9wB3cY6hJ1dF5gS0a";
            ApiKey imp = m.importKey(imported, NewKey.builder("legacy").tenant("acme").build(), "key_admin");
            recorded.auditLog().find(AuditQuery.all(100).tenant("acme"));
            List<String> actions = audit("create").stream().map(AuditEvent::action).toList();
            assertEquals(2, actions.size());
            for (String action : List.of("update", "disable", "enable", "rotate", "revoke", "approve", "reject", "import")) {
                assertFalse(audit(action).isEmpty(), action + " is audited");
            }
            List<String> touching = sql.stream().filter(s -> s.toLowerCase(Locale.ROOT).contains("keys_audit")).toList();
            assertFalse(touching.isEmpty());
            for (String s : touching) {
                String head = s.strip().toUpperCase(Locale.ROOT);
                assertTrue(head.startsWith("INSERT INTO KEYS_AUDIT") || head.startsWith("SELECT"), "not append-only: " + s);
            }
            List<String> secrets = new ArrayList<>();
            for (String p : List.of(a.plaintext(), rotated.plaintext(), imported)) {
                secrets.add(p.substring(p.length() - 20));
            }
            for (ApiKey k : List.of(a.key(), rotated.key(), imp)) {
                secrets.add(k.digest().toHex());
                secrets.add(Base64.getEncoder().encodeToString(k.digest().toBytes()));
                secrets.add(Base64.getUrlEncoder().withoutPadding().encodeToString(k.digest().toBytes()));
            }
            int rows = 0;
            try (Connection c = pool.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM keys_audit")) {
                int cols = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    rows++;
                    for (int i = 1; i <= cols; i++) {
                        String v = String.valueOf(rs.getObject(i));
                        for (String s : secrets) {
                            assertFalse(v.contains(s) || v.toLowerCase(Locale.ROOT).contains(s.toLowerCase(Locale.ROOT)),
                                    "keys_audit." + rs.getMetaData().getColumnName(i) + " holds a secret or digest");
                        }
                    }
                }
            }
            assertEquals(10, rows, "create, reject, approve, update, disable, enable, create + rotate, revoke, import");
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

        @Test
        void theDatabaseRefusesToRewriteTheAuditTrail() throws Exception {
            Assumptions.assumeTrue(TestDb.isPostgres(db));
            stores.auditLog().record(new AuditEvent(T0, "create", "system", "acme", "key_x", Optional.empty(), Map.of()));
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                for (String sql : List.of("UPDATE keys_audit SET reason = 'rewritten'", "DELETE FROM keys_audit", "TRUNCATE keys_audit")) {
                    SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
                    assertTrue(e.getMessage().contains("append-only"), e.getMessage());
                }
                c.setAutoCommit(false);
                s.execute("SET LOCAL keys.audit_maintenance = 'on'");
                assertEquals(1, s.executeUpdate("DELETE FROM keys_audit WHERE key_id = 'key_x'"), "an operator's pruning, said out loud");
                c.commit();
                c.setAutoCommit(true);
                stores.auditLog().record(new AuditEvent(T0, "create", "system", "acme", "key_y", Optional.empty(), Map.of()));
                assertThrows(SQLException.class, () -> s.execute("DELETE FROM keys_audit"), "the setting was local to that transaction");
            }
        }
    }

    /** Records every SQL text prepared or executed through it. */
    static final class RecordingDataSource implements DataSource {
        private final DataSource delegate;
        private final List<String> sql;

        RecordingDataSource(DataSource delegate, List<String> sql) {
            this.delegate = delegate;
            this.sql = sql;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = delegate.getConnection();
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class}, (p, m, args) -> {
                if ((m.getName().equals("prepareStatement") || m.getName().equals("prepareCall")) && args != null && args[0] instanceof String s) sql.add(s);
                try {
                    Object r = m.invoke(c, args);
                    if (r instanceof Statement st && m.getName().equals("createStatement")) return recording(st);
                    return r;
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        }

        private Statement recording(Statement st) {
            return (Statement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Statement.class}, (p, m, args) -> {
                if (m.getName().startsWith("execute") || m.getName().equals("addBatch")) {
                    if (args != null && args.length > 0 && args[0] instanceof String s) sql.add(s);
                }
                try {
                    return m.invoke(st, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        }

        @Override public Connection getConnection(String u, String p) { throw new UnsupportedOperationException(); }
        @Override public PrintWriter getLogWriter() { return null; }
        @Override public void setLogWriter(PrintWriter out) { }
        @Override public void setLoginTimeout(int seconds) { }
        @Override public int getLoginTimeout() { return 0; }
        @Override public Logger getParentLogger() throws SQLFeatureNotSupportedException { throw new SQLFeatureNotSupportedException(); }
        @Override public <T> T unwrap(Class<T> iface) throws SQLException { throw new SQLException("not a wrapper"); }
        @Override public boolean isWrapperFor(Class<?> iface) { return false; }
    }
}
