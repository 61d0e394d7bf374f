package dev.keys.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * The databases the JDBC store supports, and every place where their SQL differs: the upserts (PostgreSQL
 * {@code INSERT ... ON CONFLICT}, H2 {@code MERGE}), reading back a changed row, and how concurrent migrations are
 * kept apart; the usage counters' all-or-nothing add differs in more than its SQL and lives in
 * {@link JdbcUsageCounters}. Everything else is the same SQL for both.
 */
public enum Dialect {
    /** PostgreSQL 15 or later. */
    POSTGRESQL {
        @Override
        long nextChangeSequence(Connection c, int timeout) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("UPDATE keys_change_seq SET seq = seq + 1 WHERE id = 1 RETURNING seq")) {
                ps.setQueryTimeout(timeout);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new SQLException("keys_change_seq has no row: was the schema migrated?", "55000");
                    return rs.getLong(1);
                }
            }
        }

        @Override
        String setCounterSql() {
            return "INSERT INTO keys_usage_counter (key_id, counter, window_start, used) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT (key_id, counter, window_start) DO UPDATE SET used = EXCLUDED.used";
        }

        @Override
        String addUsageSql() {
            return "INSERT INTO keys_usage (key_id, period_start, outcome, hits) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT (key_id, period_start, outcome) DO UPDATE SET hits = keys_usage.hits + EXCLUDED.hits";
        }

        @Override
        void lockForMigration(Connection c) throws SQLException {
            // Transaction-scoped, so it is released by the commit; keyed by schema so that schemas migrate apart.
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(hashtext('dev.keys.jdbc.migration:' || current_schema()))");
            }
        }
    },

    /** H2 2.x, embedded (memory or file), in any compatibility mode; {@code MODE=PostgreSQL} is fine. */
    H2 {
        @Override
        long nextChangeSequence(Connection c, int timeout) throws SQLException {
            try (PreparedStatement up = c.prepareStatement("UPDATE keys_change_seq SET seq = seq + 1 WHERE id = 1")) {
                up.setQueryTimeout(timeout);
                if (up.executeUpdate() != 1) throw new SQLException("keys_change_seq has no row: was the schema migrated?", "55000");
            }
            // The row is locked by this transaction now, so this reads our own increment.
            try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM keys_change_seq WHERE id = 1")) {
                ps.setQueryTimeout(timeout);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }

        @Override
        String setCounterSql() {
            return "MERGE INTO keys_usage_counter t "
                    + "USING (VALUES (CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(64)), CAST(? AS BIGINT), CAST(? AS BIGINT))) "
                    + "AS s (key_id, counter, window_start, used) "
                    + "ON t.key_id = s.key_id AND t.counter = s.counter AND t.window_start = s.window_start "
                    + "WHEN MATCHED THEN UPDATE SET used = s.used "
                    + "WHEN NOT MATCHED THEN INSERT (key_id, counter, window_start, used) VALUES (s.key_id, s.counter, s.window_start, s.used)";
        }

        @Override
        String addUsageSql() {
            return "MERGE INTO keys_usage t "
                    + "USING (VALUES (CAST(? AS VARCHAR(128)), CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS VARCHAR(32)), CAST(? AS BIGINT))) "
                    + "AS s (key_id, period_start, outcome, hits) "
                    + "ON t.key_id = s.key_id AND t.period_start = s.period_start AND t.outcome = s.outcome "
                    + "WHEN MATCHED THEN UPDATE SET hits = t.hits + s.hits "
                    + "WHEN NOT MATCHED THEN INSERT (key_id, period_start, outcome, hits) VALUES (s.key_id, s.period_start, s.outcome, s.hits)";
        }

        @Override
        void beginTransaction(Connection c, int timeoutSeconds) throws SQLException {
            // H2's query timeout does not cover waiting for a row lock; its session lock timeout does.
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCK_TIMEOUT " + timeoutSeconds * 1000L);
            }
        }

        @Override
        void lockForMigration(Connection c) {
            // H2 commits DDL at once, so a database lock cannot span a migration; an embedded H2 database belongs to
            // one JVM, and JdbcSchema serialises migrations within it.
        }
    };

    /**
     * Takes the next change-feed sequence number inside the caller's transaction. The counter row stays locked
     * until that transaction ends, so a second writer waits and numbers follow commit order without gaps.
     */
    abstract long nextChangeSequence(Connection c, int timeoutSeconds) throws SQLException;

    /** Parameters: key id, counter, window, value. */
    abstract String setCounterSql();

    /** Parameters: key id, period start, outcome, hits to add. */
    abstract String addUsageSql();

    abstract void lockForMigration(Connection c) throws SQLException;

    /** Session settings for a write transaction, so that the query timeout also bounds lock waits. */
    void beginTransaction(Connection c, int timeoutSeconds) throws SQLException {
        // PostgreSQL: the statement timeout (JDBC query timeout) already includes lock waits.
    }

    /** The dialect of the database behind a connection, from its metadata. */
    public static Dialect of(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName();
        String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
        if (p.contains("postgresql")) return POSTGRESQL;
        if (p.equals("h2")) return H2;
        throw new IllegalArgumentException("keys-jdbc-store supports PostgreSQL and H2, not " + product);
    }

    static boolean isUniqueViolation(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if ("23505".equals(x.getSQLState())) return true;
        }
        return false;
    }
}
