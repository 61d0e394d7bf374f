package dev.keys.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.keys.api.ClientStore;
import dev.keys.api.OAuthClient;
import dev.keys.api.RateLimit;
import dev.keys.api.StoreException;
import dev.keys.core.lifecycle.ClientManagerRoundTrip;
import dev.keys.test.ClientStoreSpec;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The client store spec of keys-test, plus what only a database adds, on the database of {@link JdbcSpecs}. */
abstract class JdbcClientStoreSpec extends ClientStoreSpec {
    @Override
    protected ClientStore newStore() {
        try (Connection c = JdbcSpecs.pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM keys_oauth_client");
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return JdbcStores.builder(JdbcSpecs.pool).queryTimeout(Duration.ofSeconds(1)).build().clientStore();
    }

    @Test
    void anOwnerWideLimitOfAClientSurvivesTheRoundTrip() {
        OAuthClient c = sample("t");
        List<RateLimit> scoped = List.of(new RateLimit("sustained", 5, Duration.ofHours(1), 0, RateLimit.Scope.OWNER));
        OAuthClient withScope = new OAuthClient(c.clientId(), c.tenant(), c.name(), c.secretDigest(), c.roles(), c.permissions(), scoped,
                c.status(), c.createdAt(), c.updatedAt(), 0);
        store.create(withScope);
        assertEquals(scoped, store.findById(c.clientId()).orElseThrow().ratelimits());
    }

    @Test
    void aManagerOverTheStoreCreatesAuthenticatesAndRevokes() {
        ClientManagerRoundTrip.createsAuthenticatesUpdatesAndRevokes(store);
    }

    @Test
    void onlyTheDigestOfTheSecretIsStored() throws SQLException {
        OAuthClient c = store.create(sample("t"));
        try (Connection conn = JdbcSpecs.pool.getConnection(); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT secret_digest FROM keys_oauth_client")) {
            assertTrue(rs.next());
            assertArrayEquals(c.secretDigest().toBytes(), rs.getBytes(1));
        }
    }

    @Test
    void anUnreachableDatabaseIsUnavailable() {
        HikariDataSource closed = JdbcSpecs.db.pool(1);
        ClientStore s = JdbcStores.builder(closed).build().clientStore();
        closed.close();
        StoreException.Unavailable e = assertThrows(StoreException.Unavailable.class, () -> s.findById("client_x"));
        assertTrue(e.getMessage().contains("findClient"), e.getMessage());
    }
}
