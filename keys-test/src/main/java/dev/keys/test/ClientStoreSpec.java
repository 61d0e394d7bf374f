package dev.keys.test;

import dev.keys.api.ClientStore;
import dev.keys.api.Digest;
import dev.keys.api.KeyStatus;
import dev.keys.api.OAuthClient;
import dev.keys.api.Page;
import dev.keys.api.RateLimit;
import dev.keys.api.StoreException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The behaviour every {@link ClientStore} must have. A store's test extends this and supplies an empty store; the
 * memory, H2 and PostgreSQL stores all run it, and so can a store of your own.
 */
public abstract class ClientStoreSpec {
    protected ClientStore store;

    /** An empty store. */
    protected abstract ClientStore newStore();

    @BeforeEach
    void setUpStore() {
        store = newStore();
    }

    protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    public static OAuthClient sample(String tenant) {
        byte[] b = new byte[32];
        ThreadLocalRandom.current().nextBytes(b);
        return new OAuthClient("client_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + Long.toHexString(System.nanoTime()),
                tenant, "nightly export", Digest.of(b), Set.of("auditor"), Set.of("documents:read", "billing:*"),
                List.of(new RateLimit("burst", 10, Duration.ofSeconds(1), 20), new RateLimit("sustained", 1000, Duration.ofMinutes(1))),
                KeyStatus.ACTIVE, T0, T0, 0);
    }

    protected static OAuthClient withVersion(OAuthClient c, long v) {
        return new OAuthClient(c.clientId(), c.tenant(), c.name(), c.secretDigest(), c.roles(), c.permissions(), c.ratelimits(),
                c.status(), c.createdAt(), c.updatedAt(), v);
    }

    @Test
    void createdClientsAreFoundByIdWithEveryFieldAtVersionOne() {
        OAuthClient c = sample("t1");
        OAuthClient stored = store.create(c);
        assertEquals(withVersion(c, 1), stored);
        assertEquals(stored, store.findById(c.clientId()).orElseThrow());
        assertEquals(c.secretDigest(), stored.secretDigest());
    }

    @Test
    void aMinimalClientRoundTrips() {
        OAuthClient c = new OAuthClient("client_min" + System.nanoTime(), "t", "", sample("t").secretDigest(), Set.of(), Set.of(), List.of(),
                KeyStatus.ACTIVE, T0, T0, 0);
        store.create(c);
        assertEquals(withVersion(c, 1), store.findById(c.clientId()).orElseThrow());
    }

    @Test
    void unknownIdsAreEmpty() {
        assertEquals(Optional.empty(), store.findById("client_nope"));
    }

    @Test
    void aSecondCreateWithTheSameIdIsDuplicate() {
        OAuthClient c = store.create(sample("t"));
        assertThrows(StoreException.Duplicate.class, () -> store.create(withVersion(c, 0)));
    }

    @Test
    void updatesAreOptimisticAndBumpTheVersion() {
        OAuthClient v1 = store.create(sample("t"));
        Instant later = T0.plusSeconds(60);
        OAuthClient changed = new OAuthClient(v1.clientId(), v1.tenant(), "renamed", v1.secretDigest(), Set.of(), Set.of("documents:write"),
                List.of(new RateLimit("burst", 5, Duration.ofSeconds(1))), KeyStatus.REVOKED, v1.createdAt(), later, v1.version());
        OAuthClient v2 = store.update(changed);
        assertEquals(2, v2.version());
        assertEquals(withVersion(changed, 2), v2);
        assertEquals(v2, store.findById(v1.clientId()).orElseThrow());
        // A writer that read version 1 loses.
        assertThrows(StoreException.Conflict.class, () -> store.update(v1.withStatus(KeyStatus.DISABLED, later)));
        assertEquals(KeyStatus.REVOKED, store.findById(v1.clientId()).orElseThrow().status());
    }

    @Test
    void updatingAnUnknownClientIsNotFound() {
        assertThrows(StoreException.NotFound.class, () -> store.update(withVersion(sample("t"), 1)));
    }

    @Test
    void listPagesInClientIdOrderAndFiltersByTenant() {
        List<String> a = new ArrayList<>();
        for (int i = 0; i < 5; i++) a.add(store.create(sample("ta")).clientId());
        for (int i = 0; i < 3; i++) store.create(sample("tb"));
        a.sort(null);
        Page<OAuthClient> p1 = store.list(Optional.of("ta"), 2, Optional.empty());
        assertEquals(a.subList(0, 2), p1.items().stream().map(OAuthClient::clientId).toList());
        assertTrue(p1.nextCursor().isPresent());
        Page<OAuthClient> p2 = store.list(Optional.of("ta"), 2, p1.nextCursor());
        assertEquals(a.subList(2, 4), p2.items().stream().map(OAuthClient::clientId).toList());
        Page<OAuthClient> p3 = store.list(Optional.of("ta"), 2, p2.nextCursor());
        assertEquals(a.subList(4, 5), p3.items().stream().map(OAuthClient::clientId).toList());
        assertEquals(Optional.empty(), p3.nextCursor());
        assertEquals(8, store.list(Optional.empty(), 100, Optional.empty()).items().size());
        assertEquals(List.of(), store.list(Optional.of("none"), 10, Optional.empty()).items());
        assertThrows(IllegalArgumentException.class, () -> store.list(Optional.empty(), 0, Optional.empty()));
    }
}
