package dev.keys.jdbc;

import dev.keys.api.UsageCounters;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * {@link UsageCounters} in the shared database: exact across every instance, because each change is one atomic
 * statement evaluated by the database under the row's lock (PostgreSQL
 * {@code INSERT ... ON CONFLICT DO UPDATE SET used = used + ? WHERE used + ? <= ?}, H2 {@code MERGE}), never a
 * read in Java followed by a write. One row per key, counter and window in {@code keys_usage_counter}.
 */
public final class JdbcUsageCounters implements UsageCounters {
    private static final int RETRIES = 3;
    private final Db db;

    JdbcUsageCounters(Db db) {
        this.db = db;
    }

    /** Counters with the defaults, their dialect read from the database (which must be reachable). */
    public static JdbcUsageCounters of(DataSource dataSource) {
        return JdbcStores.builder(dataSource).build().usageCounters();
    }

    @Override
    public long tryAdd(String keyId, String counter, long window, long amount, long limit) {
        // A new row starts at amount: refuse here what the upsert's WHERE would only check on an existing row.
        if (amount > limit) return -1;
        for (int attempt = 1; ; attempt++) {
            try {
                return db.read("tryAdd", c -> {
                    try (PreparedStatement ps = db.prepare(c, db.dialect.tryAddSql())) {
                        ps.setString(1, keyId);
                        ps.setString(2, counter);
                        ps.setLong(3, window);
                        ps.setLong(4, amount);
                        ps.setLong(5, limit);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? rs.getLong(1) : -1L;
                        }
                    }
                });
            } catch (Db.UniqueViolation e) {
                // H2's MERGE can race another instance inserting the same new row; the retry finds it.
                if (attempt == RETRIES) throw new IllegalStateException("usage counter kept colliding on insert", e);
            }
        }
    }

    @Override
    public long get(String keyId, String counter, long window) {
        return db.read("get", c -> {
            try (PreparedStatement ps = db.prepare(c, "SELECT used FROM keys_usage_counter WHERE key_id = ? AND counter = ? AND window_start = ?")) {
                ps.setString(1, keyId);
                ps.setString(2, counter);
                ps.setLong(3, window);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    @Override
    public void set(String keyId, String counter, long window, long value) {
        for (int attempt = 1; ; attempt++) {
            try {
                db.read("set", c -> {
                    try (PreparedStatement ps = db.prepare(c, db.dialect.setCounterSql())) {
                        ps.setString(1, keyId);
                        ps.setString(2, counter);
                        ps.setLong(3, window);
                        ps.setLong(4, value);
                        return ps.executeUpdate();
                    }
                });
                return;
            } catch (Db.UniqueViolation e) {
                if (attempt == RETRIES) throw new IllegalStateException("usage counter kept colliding on insert", e);
            }
        }
    }

    /**
     * Deletes the counters of windows that started before {@code window} (windows of 0, which never reset, stay).
     * For a periodic clean-up of past quota periods.
     *
     * @return the number of counters deleted
     */
    public int deleteWindowsBefore(long window) {
        return db.read("deleteWindowsBefore", c -> {
            try (PreparedStatement ps = db.prepare(c, "DELETE FROM keys_usage_counter WHERE window_start > 0 AND window_start < ?")) {
                ps.setLong(1, window);
                return ps.executeUpdate();
            }
        });
    }
}
