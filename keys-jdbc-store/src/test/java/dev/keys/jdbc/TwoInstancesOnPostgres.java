package dev.keys.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.util.ArrayList;
import java.util.List;

/**
 * The fixture of the tests that run several service instances on one real PostgreSQL: the database for the class,
 * emptied before each test, and whatever a test opened ({@link #closing}) closed after it, last opened first.
 */
abstract class TwoInstancesOnPostgres {
    static TestDb.Postgres db;
    final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void up() {
        db = (TestDb.Postgres) TestDb.postgres();
    }

    @AfterAll
    static void down() {
        if (db != null) db.close();
    }

    @BeforeEach
    void clear() {
        TestDb.clear(db.pool(1));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) closing.get(i).close();
    }
}
