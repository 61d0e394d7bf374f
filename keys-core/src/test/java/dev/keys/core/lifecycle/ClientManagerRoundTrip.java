package dev.keys.core.lifecycle;

import dev.keys.api.ClientStore;
import dev.keys.api.KeyStatus;
import dev.keys.api.OAuthClient;
import dev.keys.api.RateLimit;
import dev.keys.test.ManualClock;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link ClientManager} over a real {@link ClientStore}: create, authenticate, update and revoke. Not part of
 * keys-test's {@code ClientStoreSpec} because it needs keys-core; the memory store's test and the JDBC stores'
 * tests call it (through keys-core's test jar) so that it still runs on memory, H2 and PostgreSQL.
 */
public final class ClientManagerRoundTrip {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private ClientManagerRoundTrip() {
    }

    public static void createsAuthenticatesUpdatesAndRevokes(ClientStore store) {
        ManualClock clock = new ManualClock(T0);
        ClientManager m = ClientManager.builder(store).clock(clock).build();
        IssuedClient issued = m.create(new NewClient("job", "acme", Set.of(), Set.of("documents:read"), List.of(new RateLimit("burst", 3, Duration.ofSeconds(1)))));
        assertTrue(m.authenticate(issued.clientId(), issued.clientSecret()).isPresent());
        assertTrue(m.authenticate(issued.clientId(), issued.clientSecret() + "x").isEmpty());
        clock.advance(Duration.ofMinutes(1));
        OAuthClient updated = m.update(issued.clientId(), ClientUpdate.NONE.withName("renamed"));
        assertEquals("renamed", updated.name());
        assertEquals(T0.plusSeconds(60), updated.updatedAt());
        m.revoke(issued.clientId());
        assertTrue(m.authenticate(issued.clientId(), issued.clientSecret()).isEmpty());
        assertEquals(KeyStatus.REVOKED, m.get(issued.clientId()).orElseThrow().status());
    }
}
