package dev.keys.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class H2KeyStoreTest extends JdbcKeyStoreSpec {
    @BeforeAll
    static void up() {
        open(TestDb.h2());
    }

    @AfterAll
    static void down() {
        shut();
    }
}
