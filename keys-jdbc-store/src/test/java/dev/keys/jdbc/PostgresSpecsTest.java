package dev.keys.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

class PostgresSpecsTest extends JdbcSpecs {
    @BeforeAll
    static void up() {
        open(TestDb.postgres());
    }

    @AfterAll
    static void down() {
        shut();
    }

    @Nested class AuditLogs extends JdbcSpecs.AuditLogs { }
    @Nested class UsageLogs extends JdbcSpecs.UsageLogs { }
    @Nested class Leases extends JdbcSpecs.Leases { }
    @Nested class LastUses extends JdbcSpecs.LastUses { }
    @Nested class Counters extends JdbcSpecs.Counters { }
}
