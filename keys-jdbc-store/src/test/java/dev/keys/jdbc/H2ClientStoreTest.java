package dev.keys.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class H2ClientStoreTest extends JdbcClientStoreSpec {
    @BeforeAll
    static void up() {
        open(TestDb.h2());
    }

    @AfterAll
    static void down() {
        shut();
    }
}
