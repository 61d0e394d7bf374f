package dev.keys.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.keys.api.AuditEvent;
import dev.keys.api.AuditLog;
import dev.keys.api.Clock;
import dev.keys.api.LastUseSource;
import dev.keys.api.Lease;
import dev.keys.api.Outcome;
import dev.keys.api.UsageCounters;
import dev.keys.api.UsageEvent;
import dev.keys.api.UsageLog;
import dev.keys.test.AuditLogSpec;
import dev.keys.test.LastUseSourceSpec;
import dev.keys.test.LeaseSpec;
import dev.keys.test.ManualClock;
import dev.keys.test.UsageCountersSpec;
import dev.keys.test.UsageLogSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The database that keys-test's specs run on, and the runs of the audit log, usage log, lease, last use and usage
 * counters specs with what only the database adds next to each ({@link JdbcKeyStoreSpec} and
 * {@link JdbcClientStoreSpec} are the key and client stores'). {@link H2StoresTest} and {@link PostgresStoresTest}
 * open the database and run each as a nested class of their own, so that their reports do not share names; every
 * test starts on empty tables.
 */
abstract class JdbcSpecs {
    static TestDb db;
    /** Two pools: two service instances on one database. */
    static HikariDataSource pool, otherPool;

    static void open(TestDb database) {
        db = database;
        pool = db.pool(4);
        otherPool = db.pool(4);
    }

    @AfterAll
    static void shut() {
        if (db != null) db.close();
        db = null;
    }

    /** Stores on empty tables, the usage log flushed only when told. */
    static JdbcStores fresh(Clock clock) {
        TestDb.clear(pool);
        return JdbcStores.builder(pool).clock(clock).usageFlushInterval(Duration.ZERO).build();
    }

    static JdbcStores fresh() {
        return fresh(Clock.system());
    }

    abstract class AuditLogs extends AuditLogSpec {
        @Override
        protected AuditLog newLog() {
            return fresh().auditLog();
        }

        @Test
        void aRowInTheOldJsonTextReadsBackTheSame() throws Exception {
            try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO keys_audit (occurred_at, action, actor, tenant, key_id, reason, changes) VALUES (?, 'update', 'system', 'a', 'key_1', NULL, ?)")) {
                ps.setObject(1, Db.timestamp(T0));
                ps.setString(2, JsonColumnsTest.OLD_CHANGES);
                ps.executeUpdate();
            }
            AuditEvent e = new AuditEvent(T0, "update", "system", "a", "key_1", Optional.empty(), JsonColumnsTest.changes());
            assertEquals(List.of(e), log.find(Optional.empty(), Optional.empty(), 10, Optional.empty()).items());
        }
    }

    abstract class UsageLogs extends UsageLogSpec {
        @Override
        protected UsageLog newLog() {
            return fresh().usageLog();
        }

        @Override
        protected void flush() {
            ((JdbcUsageLog) log).flush();
        }
    }

    abstract class Leases extends LeaseSpec {
        @Override
        protected Lease newLease(ManualClock clock) {
            return fresh(clock).lease();
        }
    }

    abstract class LastUses extends LastUseSourceSpec {
        JdbcStores stores;

        @Override
        protected LastUseSource newSource() {
            stores = fresh();
            return stores.lastUse();
        }

        /** The way the JDBC last use learns of a verification: the usage log's minute rows. */
        @Override
        protected void verified(String keyId, Outcome outcome, Instant at) {
            stores.usageLog().record(new UsageEvent(keyId, "t", outcome, Clock.toNanos(at)));
            stores.usageLog().flush();
        }
    }

    abstract class Counters extends UsageCountersSpec {
        final UsageCounters a = JdbcStores.builder(pool).build().usageCounters(), b = JdbcStores.builder(otherPool).build().usageCounters();

        @Override
        protected UsageCounters counters() {
            return a;
        }

        @Override
        protected UsageCounters otherInstance() {
            return b;
        }

        @Test
        void pastWindowsCanBeDeletedButNeverResettingOnesStay() {
            String k = key();
            add(a, k, "quota", 100, 1, 10);
            add(a, k, "quota", 200, 1, 10);
            add(a, k, "uses", 0, 1, 10);
            ((JdbcUsageCounters) a).deleteWindowsBefore(150);
            assertEquals(0, a.get(k, "quota", 100));
            assertEquals(1, a.get(k, "quota", 200));
            assertEquals(1, a.get(k, "uses", 0));
        }
    }
}
