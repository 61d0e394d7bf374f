package dev.keys.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URISyntaxException;
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
    void everyShippedMigrationIsListedInOrder() throws URISyntaxException {
        File dir = new File(JdbcSchema.class.getResource("/" + JdbcSchema.LOCATION).toURI());
        List<String> files = new ArrayList<>(Arrays.asList(dir.list()));
        files.sort((a, b) -> Integer.compare(JdbcSchema.version(a), JdbcSchema.version(b)));
        assertEquals(files, JdbcSchema.MIGRATIONS);
        for (int i = 0; i < files.size(); i++) assertEquals(i + 1, JdbcSchema.version(files.get(i)));
        File pg = new File(JdbcSchema.class.getResource("/" + JdbcSchema.POSTGRESQL_LOCATION).toURI());
        List<String> pgFiles = new ArrayList<>(Arrays.asList(pg.list()));
        pgFiles.sort((a, b) -> Integer.compare(JdbcSchema.version(a), JdbcSchema.version(b)));
        assertEquals(pgFiles, JdbcSchema.POSTGRESQL_MIGRATIONS);
        for (String f : pgFiles) assertFalse(files.stream().anyMatch(x -> JdbcSchema.version(x) == JdbcSchema.version(f)), "versions are not shared");
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
                assertEquals(List.of(1, 2, 3), all, "each version applied by exactly one");
            } finally {
                pool.shutdownNow();
            }
            assertEquals(List.of(), JdbcSchema.migrate(a));
            try (Connection c = a.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM keys_schema_version")) {
                rs.next();
                assertEquals(3, rs.getInt(1));
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
            assertEquals(3, JdbcSchema.latestVersion());
        }
    }
}
