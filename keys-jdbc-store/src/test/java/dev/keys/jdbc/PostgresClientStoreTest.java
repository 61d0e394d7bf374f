package dev.keys.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class PostgresClientStoreTest extends JdbcClientStoreSpec {
    @BeforeAll
    static void up() {
        open(TestDb.postgres());
    }

    @AfterAll
    static void down() {
        shut();
    }
}
