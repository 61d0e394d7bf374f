package dev.keys.jdbc;

import dev.keys.api.StoreException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * One data source, its dialect and the query timeout, and the single place where JDBC failures become
 * {@link StoreException}s. Messages name the operation and the kind of failure, never a value: a driver's own
 * message can quote a digest (PostgreSQL's unique-violation detail does), so it is kept only as the cause of
 * connection-level failures, whose messages hold no row data.
 */
final class Db {
    final DataSource dataSource;
    final Dialect dialect;
    final int timeoutSeconds;

    Db(DataSource dataSource, Dialect dialect, Duration queryTimeout) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        if (queryTimeout.isNegative() || queryTimeout.isZero()) throw new IllegalArgumentException("queryTimeout must be positive");
        // JDBC timeouts are whole seconds; round up so that a short timeout never means "none".
        this.timeoutSeconds = (int) Math.max(1, (queryTimeout.toMillis() + 999) / 1000);
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** A unique constraint refused the write; the caller says which one, without the driver's text. */
    static final class UniqueViolation extends RuntimeException {
        UniqueViolation() {
            super(null, null, false, false);
        }
    }

    /** Runs with an auto-commit connection. */
    <T> T read(String operation, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    /** Runs in one transaction, rolled back when the work throws. */
    <T> T transaction(String operation, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            if (auto) c.setAutoCommit(false);
            try {
                dialect.beginTransaction(c, timeoutSeconds);
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            } finally {
                if (auto) {
                    try {
                        c.setAutoCommit(true);
                    } catch (SQLException ignored) {
                        // a broken connection; the pool discards it
                    }
                }
            }
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout(timeoutSeconds);
        return ps;
    }

    RuntimeException failure(String operation, SQLException e) {
        if (Dialect.isUniqueViolation(e)) return new UniqueViolation();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("22")) {
            return new IllegalArgumentException("a value is too long or out of range for the key store (" + operation + ", SQLState " + state + ")");
        }
        String why;
        if (e instanceof SQLTransientConnectionException) {
            why = "no database connection within the pool's timeout (pool exhausted or database unreachable)";
        } else if (e instanceof SQLTimeoutException || state.equals("57014") || state.equals("HYT00")) {
            why = "the query timed out after " + timeoutSeconds + " s";
        } else if (state.startsWith("08")) {
            why = "the database connection failed";
        } else if (state.startsWith("42")) {
            why = "the schema is missing or out of date (run JdbcSchema.migrate)";
        } else {
            why = "database error";
        }
        boolean safeCause = !state.startsWith("23");
        return new StoreException.Unavailable("key store unavailable during " + operation + ": " + why
                + (state.isEmpty() ? "" : " (SQLState " + state + ")"), safeCause ? e : null);
    }

    static OffsetDateTime timestamp(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    static Instant instant(Object o) {
        if (o == null) return null;
        if (o instanceof OffsetDateTime t) return t.toInstant();
        if (o instanceof Timestamp t) return t.toInstant();
        throw new IllegalStateException("unexpected timestamp type " + o.getClass().getName());
    }
}
