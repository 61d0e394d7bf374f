package dev.keys.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database for one test class: a fresh in-memory H2, or a fresh schema in the PostgreSQL named by the one
 * variable {@value #URL_VARIABLE} (default {@value #DEFAULT_URL}). When PostgreSQL cannot be reached its tests
 * are skipped, except with {@code CI=true}, where they fail. Schemas are named {@code keys_test_<random>} so that
 * parallel runs do not collide, and dropped on {@link #close()}.
 */
abstract class TestDb implements AutoCloseable {
    static final String URL_VARIABLE = "KEYS_TEST_JDBC_URL";
    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    private final List<HikariDataSource> pools = new ArrayList<>();

    abstract String url();

    abstract String name();

    /** A new pool on this database (the schema migrated). */
    HikariDataSource pool(int size) {
        return pool(url(), size);
    }

    HikariDataSource pool(String url, int size) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setMaximumPoolSize(size);
        cfg.setMinimumIdle(0);
        cfg.setConnectionTimeout(1000);
        cfg.setValidationTimeout(500);
        cfg.setPoolName("keys-test-" + name() + "-" + pools.size());
        HikariDataSource ds = new HikariDataSource(cfg);
        synchronized (pools) {
            pools.add(ds);
        }
        return ds;
    }

    /** Empties every table and restarts the change feed. */
    static void clear(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            // keys_audit is append-only on PostgreSQL (V3) unless this session says it is maintenance.
            boolean pg = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
            if (pg) s.execute("SET keys.audit_maintenance = 'on'");
            for (String t : List.of("keys_api_key", "keys_changes", "keys_usage_counter", "keys_audit", "keys_usage", "keys_lease", "keys_role")) s.execute("DELETE FROM " + t);
            if (pg) s.execute("RESET keys.audit_maintenance");
            s.execute("UPDATE keys_change_seq SET seq = 0");
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        synchronized (pools) {
            pools.forEach(HikariDataSource::close);
            pools.clear();
        }
    }

    static TestDb h2() {
        String name = "keys_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        TestDb db = new TestDb() {
            @Override
            String url() {
                return "jdbc:h2:mem:" + name + ";MODE=PostgreSQL;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000";
            }

            @Override
            String name() {
                return "h2";
            }

            @Override
            public void close() {
                try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement()) {
                    s.execute("SHUTDOWN");
                } catch (SQLException ignored) {
                    // already gone
                }
                super.close();
            }
        };
        JdbcSchema.migrate(db.pool(1));
        return db;
    }

    static TestDb postgres() {
        return new Postgres();
    }

    static final class Postgres extends TestDb {
        final String baseUrl = System.getenv().getOrDefault(URL_VARIABLE, DEFAULT_URL);
        final String schema = "keys_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);

        Postgres() {
            DriverManager.setLoginTimeout(3);
            try (Connection c = DriverManager.getConnection(baseUrl); Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
            } catch (SQLException e) {
                String why = "PostgreSQL is not reachable at " + URL_VARIABLE + "=" + baseUrl.replaceAll("password=[^&]*", "password=***")
                        + " (" + e.getMessage() + "); set " + URL_VARIABLE + " to run the PostgreSQL tests";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) Assertions.fail("CI=true: " + why, e);
                // Surefire counts a class skipped in @BeforeAll as "0 tests run"; say why where it is seen.
                System.err.println("SKIPPED: " + why);
                Assumptions.abort(why);
            }
            JdbcSchema.migrate(pool(1));
        }

        @Override
        String url() {
            return withParams(baseUrl, "currentSchema=" + schema);
        }

        @Override
        String name() {
            return "pg";
        }

        /** The URL with another host and port, for a proxy in between. */
        String urlVia(String host, int port, String extraParams) {
            Matcher m = Pattern.compile("^jdbc:postgresql://([^/?]*)").matcher(url());
            if (!m.find()) throw new IllegalStateException("cannot parse the PostgreSQL URL");
            return withParams("jdbc:postgresql://" + host + ":" + port + url().substring(m.end()), extraParams);
        }

        /** The host and port of the real server. */
        String[] hostPort() {
            Matcher m = Pattern.compile("^jdbc:postgresql://([^/:?]*)(?::(\\d+))?").matcher(baseUrl);
            if (!m.find()) throw new IllegalStateException("cannot parse the PostgreSQL URL");
            return new String[]{m.group(1), m.group(2) == null ? "5432" : m.group(2)};
        }

        @Override
        public void close() {
            super.close();
            try (Connection c = DriverManager.getConnection(baseUrl); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (SQLException e) {
                throw new AssertionError("could not drop " + schema, e);
            }
        }
    }

    static String withParams(String url, String params) {
        if (params.isEmpty()) return url;
        return url + (url.contains("?") ? "&" : "?") + params;
    }

    static boolean isPostgres(TestDb db) {
        return db.name().toLowerCase(Locale.ROOT).equals("pg");
    }
}
