package dev.keys.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.keys.api.UsageCounters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The counters spec on H2 and on PostgreSQL, each instance with its own pool. */
class JdbcUsageCountersTest {

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class OnDatabase extends UsageCountersSpec {
        TestDb db;
        UsageCounters a, b;

        abstract TestDb open();

        @BeforeAll
        void up() {
            db = open();
            HikariDataSource pa = db.pool(4), pb = db.pool(4);
            a = JdbcStores.builder(pa).build().usageCounters();
            b = JdbcStores.builder(pb).build().usageCounters();
        }

        @AfterAll
        void down() {
            if (db != null) db.close();
        }

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
            a.tryAdd(k, "quota", 100, 1, 10);
            a.tryAdd(k, "quota", 200, 1, 10);
            a.tryAdd(k, "uses", 0, 1, 10);
            ((JdbcUsageCounters) a).deleteWindowsBefore(150);
            assertEquals(0, a.get(k, "quota", 100));
            assertEquals(1, a.get(k, "quota", 200));
            assertEquals(1, a.get(k, "uses", 0));
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
