package dev.keys.jdbc;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/** Every store of this module on H2, against keys-test's specs. */
class H2StoresTest extends JdbcSpecs {
    @BeforeAll
    static void up() {
        open(TestDb.h2());
    }

    @Nested class KeyStores extends JdbcKeyStoreSpec { }
    @Nested class ClientStores extends JdbcClientStoreSpec { }
    @Nested class RoleStores extends JdbcRoleStoreSpec { }
    @Nested class AuditLogs extends JdbcSpecs.AuditLogs { }
    @Nested class UsageLogs extends JdbcSpecs.UsageLogs { }
    @Nested class Leases extends JdbcSpecs.Leases { }
    @Nested class LastUses extends JdbcSpecs.LastUses { }
    @Nested class Counters extends JdbcSpecs.Counters { }
}
