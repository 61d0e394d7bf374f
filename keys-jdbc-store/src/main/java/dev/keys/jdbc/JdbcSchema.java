package dev.keys.jdbc;

import dev.keys.api.StoreException;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's schema as versioned SQL migrations shipped in the jar under {@value #LOCATION} (Flyway's naming, so
 * Flyway can apply them instead), plus PostgreSQL-only ones under {@value #POSTGRESQL_LOCATION} (Flyway:
 * {@code locations("classpath:dev/keys/jdbc/migration", "classpath:dev/keys/jdbc/migration-{vendor}")}). {@link #migrate} applies the missing ones in order and records each in
 * {@code keys_schema_version}. On PostgreSQL the whole run is one transaction under an advisory lock keyed by the
 * current schema, so that two instances starting at once apply each migration exactly once; on H2 (embedded, one
 * JVM) runs are serialised in this JVM.
 */
public final class JdbcSchema {
    /** Where the migrations are on the class path. */
    public static final String LOCATION = "dev/keys/jdbc/migration";
    /**
     * Every migration, by version: the {@code V<n>__<description>.sql} files found under {@value #LOCATION}, so
     * that a new migration is only a new file (two branches adding one each do not touch a shared list). Versions
     * must be unique across both locations; gaps are allowed, and a version missing from a database is applied even
     * when a higher one was applied before (migrations of different tables are independent).
     */
    static final List<String> MIGRATIONS = MigrationFiles.discover(LOCATION);
    /** Where the PostgreSQL-only migrations are; their versions are skipped (not recorded) on other databases. */
    public static final String POSTGRESQL_LOCATION = "dev/keys/jdbc/migration-postgresql";
    /** Every PostgreSQL-only migration, found like {@link #MIGRATIONS}. */
    static final List<String> POSTGRESQL_MIGRATIONS = MigrationFiles.discover(POSTGRESQL_LOCATION);
    private static final Object H2_LOCK = new Object();

    private JdbcSchema() {
    }

    /** The newest schema version this library ships. */
    public static int latestVersion() {
        return Math.max(version(MIGRATIONS.get(MIGRATIONS.size() - 1)), version(POSTGRESQL_MIGRATIONS.get(POSTGRESQL_MIGRATIONS.size() - 1)));
    }

    /** The migrations for one dialect, oldest first, each as its class-path location. */
    static List<String> migrationsFor(Dialect dialect) {
        List<String> all = new ArrayList<>();
        for (String f : MIGRATIONS) all.add(LOCATION + "/" + f);
        if (dialect == Dialect.POSTGRESQL) for (String f : POSTGRESQL_MIGRATIONS) all.add(POSTGRESQL_LOCATION + "/" + f);
        all.sort((a, b) -> Integer.compare(version(a), version(b)));
        return all;
    }

    /**
     * Applies every migration not yet recorded in {@code keys_schema_version}. Safe to call on every start and from
     * several instances at once.
     *
     * @return the versions applied by this call, empty when the schema was current
     * @throws StoreException.Unavailable when the database cannot be reached or refuses the migration
     */
    public static List<Integer> migrate(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            Dialect dialect = Dialect.of(c);
            if (dialect == Dialect.H2) {
                synchronized (H2_LOCK) {
                    return migrate(c, dialect);
                }
            }
            return migrate(c, dialect);
        } catch (SQLException e) {
            throw new StoreException.Unavailable("key store schema migration failed (SQLState " + e.getSQLState() + ")", e);
        }
    }

    private static List<Integer> migrate(Connection c, Dialect dialect) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            dialect.lockForMigration(c);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS keys_schema_version (version INT NOT NULL PRIMARY KEY, "
                        + "description VARCHAR(200) NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
            }
            List<Integer> applied = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version FROM keys_schema_version")) {
                while (rs.next()) applied.add(rs.getInt(1));
            }
            List<Integer> done = new ArrayList<>();
            for (String path : migrationsFor(dialect)) {
                String file = path.substring(path.lastIndexOf('/') + 1);
                int v = version(file);
                if (applied.contains(v)) continue;
                for (String sql : statements(loadPath(path))) {
                    try (Statement s = c.createStatement()) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO keys_schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                    ps.setInt(1, v);
                    ps.setString(2, file);
                    ps.setObject(3, Db.timestamp(Instant.now()));
                    ps.executeUpdate();
                }
                done.add(v);
            }
            c.commit();
            return done;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    static int version(String file) {
        String name = file.substring(file.lastIndexOf('/') + 1);
        return Integer.parseInt(name.substring(1, name.indexOf("__")));
    }

    static String load(String file) {
        return loadPath(LOCATION + "/" + file);
    }

    static String loadPath(String location) {
        String path = "/" + location;
        try (InputStream in = JdbcSchema.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("migration " + path + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Splits a migration into statements: line comments dropped, split at a {@code ;} that ends a line. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            int comment = line.indexOf("--");
            String code = (comment >= 0 ? line.substring(0, comment) : line).strip();
            if (code.isEmpty()) continue;
            current.append(code).append('\n');
            if (code.endsWith(";")) {
                String sql = current.toString().strip();
                out.add(sql.substring(0, sql.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) out.add(current.toString().strip());
        return out;
    }
}
