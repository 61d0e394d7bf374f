package dev.keys.jdbc;

import dev.keys.api.UsageCounters;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * {@link UsageCounters} in the shared database: exact across every instance, because the database decides under
 * the rows' locks, never a read in Java followed by a write by another instance. One row per key, counter and
 * window in {@code keys_usage_counter}.
 *
 * <p>{@link #tryAddAll} locks every counter of the call in one order (key, counter, window), so that concurrent
 * calls never deadlock, and adds to all of them only if all fit:
 * <ul>
 *   <li>PostgreSQL: one statement, one round trip: {@code SELECT ... ORDER BY ... FOR UPDATE} of the rows (which
 *       waits for, and then reads, any concurrent change), an aggregate of whether every one fits, and an
 *       {@code UPDATE} that adds only when it does; it answers every value before and after. A counter without a row
 *       yet (the first request of a period) costs a second statement that inserts the missing rows at 0, then the
 *       first again.</li>
 *   <li>H2 (embedded: no network between statements): one transaction that locks and reads each row with a no-op
 *       {@code MERGE} (inserting it at 0 when missing), decides in Java, and adds or rolls back.</li>
 * </ul>
 */
public final class JdbcUsageCounters implements UsageCounters {
    private static final int RETRIES = 3;
    /** The PostgreSQL statement for calls of 1 to 4 counters, made on first use. */
    private static final String[] POSTGRES_SQL = new String[5];
    private static final String H2_LOCK = "SELECT used FROM FINAL TABLE (MERGE INTO keys_usage_counter t "
            + "USING (VALUES (CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(64)), CAST(? AS BIGINT))) AS s (key_id, counter, window_start) "
            + "ON t.key_id = s.key_id AND t.counter = s.counter AND t.window_start = s.window_start "
            + "WHEN MATCHED THEN UPDATE SET used = t.used "
            + "WHEN NOT MATCHED THEN INSERT (key_id, counter, window_start, used) VALUES (s.key_id, s.counter, s.window_start, 0))";
    private static final String ADD = "UPDATE keys_usage_counter SET used = used + ? WHERE key_id = ? AND counter = ? AND window_start = ?";
    private final Db db;

    JdbcUsageCounters(Db db) {
        this.db = db;
    }

    /** Counters with the defaults, their dialect read from the database (which must be reachable). */
    public static JdbcUsageCounters of(DataSource dataSource) {
        return JdbcStores.builder(dataSource).build().usageCounters();
    }

    @Override
    public Result tryAddAll(String keyId, List<Increment> increments) {
        Objects.requireNonNull(keyId, "keyId");
        List<Increment> inRowOrder = inRowOrder(increments);
        for (int attempt = 1; ; attempt++) {
            try {
                Result r = db.dialect == Dialect.POSTGRESQL ? postgres(keyId, increments) : h2(keyId, increments, inRowOrder);
                if (r != null) return r;
                insertMissing(keyId, inRowOrder);
            } catch (Db.UniqueViolation e) {
                // H2: another instance inserted the same new row first; the next attempt finds it.
            }
            if (attempt == RETRIES) throw new IllegalStateException("usage counters kept vanishing or colliding on insert");
        }
    }

    /** The increments sorted as their rows are locked. */
    private static List<Increment> inRowOrder(List<Increment> increments) {
        if (increments.isEmpty()) throw new IllegalArgumentException("at least one increment");
        List<Increment> sorted = new ArrayList<>(increments);
        sorted.sort(Comparator.comparing(Increment::counter).thenComparingLong(Increment::window));
        for (int i = 1; i < sorted.size(); i++) {
            Increment a = sorted.get(i - 1), b = sorted.get(i);
            if (a.counter().equals(b.counter()) && a.window() == b.window()) {
                throw new IllegalArgumentException("counter " + a.counter() + " and window " + a.window() + " twice");
            }
        }
        return sorted;
    }

    /** The one statement; null when a counter has no row yet. */
    private Result postgres(String keyId, List<Increment> increments) {
        int n = increments.size();
        long[] before = new long[n], after = new long[n];
        boolean[] missing = {false}, added = {true};
        db.read("tryAddAll", c -> {
            try (PreparedStatement ps = db.prepare(c, postgresSql(n))) {
                int p = 1;
                for (Increment inc : increments) {
                    ps.setString(p++, keyId);
                    ps.setString(p++, inc.counter());
                    ps.setLong(p++, inc.window());
                    ps.setLong(p++, inc.amount());
                    ps.setLong(p++, inc.limit());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int i = rs.getInt(1);
                        before[i] = rs.getLong(2);
                        if (rs.wasNull()) missing[0] = true;
                        after[i] = rs.getLong(3);
                        if (rs.wasNull()) added[0] = false;
                    }
                }
            }
            return null;
        });
        if (missing[0]) return null;
        Result r = answer(increments, before);
        // The statement and Java decide by the same rule on the same values; a difference is a bug, not a refusal.
        if (added[0] != (r instanceof Added) || (added[0] && !r.equals(new Added(after)))) {
            throw new IllegalStateException("the usage counter statement and its caller disagree on " + r);
        }
        return r;
    }

    private static String postgresSql(int n) {
        String sql = n < POSTGRES_SQL.length ? POSTGRES_SQL[n] : null;
        if (sql != null) return sql;
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < n; i++) {
            values.append(i == 0 ? "" : ", ").append('(').append(i)
                    .append(", CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))");
        }
        sql = "WITH i (ord, key_id, counter, window_start, amount, lim) AS (VALUES " + values + "), "
                + "locked AS (SELECT t.key_id, t.counter, t.window_start, t.used FROM keys_usage_counter t JOIN i USING (key_id, counter, window_start) "
                + "ORDER BY t.key_id, t.counter, t.window_start FOR UPDATE OF t), "
                // used <= lim - amount cannot overflow: lim >= 0 and amount > 0 (Increment).
                + "fits AS (SELECT count(*) = " + n + " AND coalesce(bool_and(l.used <= i.lim - i.amount), false) AS ok "
                + "FROM locked l JOIN i USING (key_id, counter, window_start)), "
                + "added AS (UPDATE keys_usage_counter t SET used = t.used + i.amount FROM i, fits WHERE fits.ok "
                + "AND t.key_id = i.key_id AND t.counter = i.counter AND t.window_start = i.window_start "
                + "RETURNING t.key_id, t.counter, t.window_start, t.used) "
                + "SELECT i.ord, l.used, a.used FROM i LEFT JOIN locked l USING (key_id, counter, window_start) "
                + "LEFT JOIN added a USING (key_id, counter, window_start) ORDER BY i.ord";
        if (n < POSTGRES_SQL.length) POSTGRES_SQL[n] = sql; // a racy write of an immutable string: at worst built twice
        return sql;
    }

    /** PostgreSQL: the rows of a call's counters, at 0 where there were none. */
    private void insertMissing(String keyId, List<Increment> inRowOrder) {
        String sql = "INSERT INTO keys_usage_counter (key_id, counter, window_start, used) VALUES "
                + "(?, ?, ?, 0), ".repeat(inRowOrder.size() - 1) + "(?, ?, ?, 0) ON CONFLICT DO NOTHING";
        db.read("tryAddAll", c -> {
            try (PreparedStatement ps = db.prepare(c, sql)) {
                int p = 1;
                for (Increment inc : inRowOrder) {
                    ps.setString(p++, keyId);
                    ps.setString(p++, inc.counter());
                    ps.setLong(p++, inc.window());
                }
                return ps.executeUpdate();
            }
        });
    }

    /** The one transaction. */
    private Result h2(String keyId, List<Increment> increments, List<Increment> inRowOrder) {
        return db.transaction("tryAddAll", c -> {
            long[] before = new long[increments.size()];
            try (PreparedStatement lock = db.prepare(c, H2_LOCK)) {
                for (Increment inc : inRowOrder) {
                    lock.setString(1, keyId);
                    lock.setString(2, inc.counter());
                    lock.setLong(3, inc.window());
                    try (ResultSet rs = lock.executeQuery()) {
                        rs.next();
                        before[increments.indexOf(inc)] = rs.getLong(1);
                    }
                }
            }
            Result r = answer(increments, before);
            if (r instanceof Refused) {
                c.rollback(); // gives up the locks and the rows inserted at 0
                return r;
            }
            try (PreparedStatement add = db.prepare(c, ADD)) {
                for (Increment inc : inRowOrder) {
                    add.setLong(1, inc.amount());
                    add.setString(2, keyId);
                    add.setString(3, inc.counter());
                    add.setLong(4, inc.window());
                    add.addBatch();
                }
                add.executeBatch();
            }
            return r;
        });
    }

    /** Every increment added to {@code before}, or the first that does not fit. */
    private static Result answer(List<Increment> increments, long[] before) {
        long[] after = new long[before.length];
        for (int i = 0; i < before.length; i++) {
            if (!increments.get(i).fits(before[i])) return new Refused(i, before);
            after[i] = before[i] + increments.get(i).amount();
        }
        return new Added(after);
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
        if (value < 0) throw new IllegalArgumentException("a counter is never negative");
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
