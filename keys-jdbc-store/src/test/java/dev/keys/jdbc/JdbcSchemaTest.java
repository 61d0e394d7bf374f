package dev.keys.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class JdbcSchemaTest {

    @Test
    void everyShippedMigrationIsDiscoveredInOrder() throws URISyntaxException {
        File dir = new File(JdbcSchema.class.getResource("/" + JdbcSchema.LOCATION).toURI());
        // The folder is also a Java package (so that the module can open it): its package-info.class is no migration.
        List<String> files = new ArrayList<>(Arrays.stream(dir.list()).filter(n -> n.endsWith(".sql")).toList());
        files.sort((a, b) -> Integer.compare(JdbcSchema.version(a), JdbcSchema.version(b)));
        assertEquals(files, JdbcSchema.MIGRATIONS);
        assertEquals(1, JdbcSchema.version(files.get(0)));
        for (int i = 1; i < files.size(); i++) assertTrue(JdbcSchema.version(files.get(i - 1)) < JdbcSchema.version(files.get(i)), "versions are unique");
        assertTrue(JdbcSchema.MIGRATIONS.contains("V4__clients.sql"));
        assertTrue(JdbcSchema.MIGRATIONS.contains("V5__key_duties.sql"));
        File pg = new File(JdbcSchema.class.getResource("/" + JdbcSchema.POSTGRESQL_LOCATION).toURI());
        List<String> pgFiles = new ArrayList<>(Arrays.asList(pg.list()));
        pgFiles.sort((a, b) -> Integer.compare(JdbcSchema.version(a), JdbcSchema.version(b)));
        assertEquals(pgFiles, JdbcSchema.POSTGRESQL_MIGRATIONS);
        for (String f : pgFiles) assertFalse(files.stream().anyMatch(x -> JdbcSchema.version(x) == JdbcSchema.version(f)), "versions are not shared");
    }

    @Test
    void migrationsAreAlsoFoundInAJar() throws Exception {
        Path jar = Files.createTempFile("keys-migrations", ".jar");
        try {
            try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
                for (String name : List.of("x/", "x/mig/", "x/mig/V2__b.sql", "x/mig/V10__c.sql", "x/mig/V1__a.sql", "x/mig/README.txt", "x/mig/sub/V5__no.sql")) {
                    out.putNextEntry(new java.util.jar.JarEntry(name));
                    if (!name.endsWith("/")) out.write("SELECT 1;".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    out.closeEntry();
                }
            }
            try (var loader = new java.net.URLClassLoader(new java.net.URL[] {jar.toUri().toURL()}, null)) {
                assertEquals(List.of("V1__a.sql", "V2__b.sql", "V10__c.sql"), MigrationFiles.discover(loader, "x/mig"));
            }
        } finally {
            Files.deleteIfExists(jar);
        }
    }

    @Test
    void statementsAreSplitAtLineEndingSemicolonsWithoutComments() {
        assertEquals(List.of("CREATE TABLE a (x INT)", "INSERT INTO a VALUES (1)"),
                JdbcSchema.statements("-- head\nCREATE TABLE a (x INT); -- why\n\nINSERT INTO a\nVALUES (1);\n").stream().map(s -> s.replace('\n', ' ')).toList());
    }

    @Test
    void twoInstancesMigratingAtOnceApplyEachVersionOnceOnPostgres() throws Exception {
        try (TestDb.Postgres db = (TestDb.Postgres) TestDb.postgres()) {
            try (Connection c = db.pool(1).getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + db.schema + " CASCADE");
                s.execute("CREATE SCHEMA " + db.schema);
            }
            HikariDataSource a = db.pool(2), b = db.pool(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                CyclicBarrier start = new CyclicBarrier(2);
                Future<List<Integer>> fa = pool.submit(() -> { start.await(); return JdbcSchema.migrate(a); });
                Future<List<Integer>> fb = pool.submit(() -> { start.await(); return JdbcSchema.migrate(b); });
                List<Integer> ra = fa.get(30, TimeUnit.SECONDS), rb = fb.get(30, TimeUnit.SECONDS);
                List<Integer> all = new ArrayList<>(ra);
                all.addAll(rb);
                all.sort(null);
                List<Integer> expected = new ArrayList<>();
                JdbcSchema.MIGRATIONS.forEach(m -> expected.add(JdbcSchema.version(m)));
                JdbcSchema.POSTGRESQL_MIGRATIONS.forEach(m -> expected.add(JdbcSchema.version(m)));
                expected.sort(null);
                assertEquals(expected, all, "each version applied by exactly one");
            } finally {
                pool.shutdownNow();
            }
            assertEquals(List.of(), JdbcSchema.migrate(a));
            try (Connection c = a.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM keys_schema_version")) {
                rs.next();
                assertEquals(JdbcSchema.MIGRATIONS.size() + JdbcSchema.POSTGRESQL_MIGRATIONS.size(), rs.getInt(1));
            }
            assertEquals(Dialect.POSTGRESQL, JdbcStores.builder(a).build().dialect());
        }
    }

    @Test
    void migratingH2TwiceIsHarmlessAndTheDialectIsDetected() {
        try (TestDb db = TestDb.h2()) {
            HikariDataSource ds = db.pool(1);
            assertEquals(List.of(), JdbcSchema.migrate(ds));
            assertEquals(Dialect.H2, JdbcStores.builder(ds).build().dialect());
            assertEquals(6, JdbcSchema.latestVersion());
        }
    }
}
