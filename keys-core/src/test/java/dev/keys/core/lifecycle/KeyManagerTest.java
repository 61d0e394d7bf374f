package dev.keys.core.lifecycle;

import dev.keys.api.ApiKey;
import dev.keys.api.AuditEvent;
import dev.keys.api.KeyStatus;
import dev.keys.api.RateLimit;
import dev.keys.api.StoreException;
import dev.keys.api.Verification;
import dev.keys.api.Digest;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStore;
import dev.keys.api.Page;
import dev.keys.api.RequestContext;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
import dev.keys.core.Keys;
import dev.keys.test.ManualClock;
import dev.keys.core.store.InMemoryKeyStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static org.junit.jupiter.api.Assertions.*;

class KeyManagerTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    final List<AuditEvent> audit = Collections.synchronizedList(new ArrayList<>());
    final Keys keys = Keys.builder().store(new InMemoryKeyStore()).clock(clock).audit(audit::add)
            .verifier(v -> v.syncInterval(Duration.ZERO)).build();
    final KeyManager manager = keys.manager();

    @AfterEach
    void close() {
        keys.close();
    }

    @Test
    void createStoresEverythingButThePlaintext() {
        IssuedKey k = manager.create(NewKey.builder("acme_live").name("ci").ownerId("acme").tenant("t1")
                .permissions("documents:read").ratelimits(new RateLimit("burst", 10, Duration.ofSeconds(1))).build(), "key_admin");
        ApiKey stored = manager.get(k.key().id()).orElseThrow();
        assertEquals("acme_live", stored.prefix());
        assertEquals(k.plaintext().substring(10, 14), stored.start());
        assertEquals(KeyStatus.ACTIVE, stored.status());
        assertEquals(clock.instant(), stored.createdAt());
        assertTrue(stored.id().matches("key_[0-9A-Za-z]{22}"));
        AuditEvent e = audit.get(0);
        assertEquals("create", e.action());
        assertEquals("key_admin", e.actor());
        assertEquals("t1", e.tenant());
        assertEquals(List.of("", "acme"), e.changes().get("ownerId"));
        assertFalse(e.changes().containsKey("digest"));
    }

    @Test
    void updatesAreAuditedWithAFieldDiff() {
        IssuedKey k = manager.create(NewKey.builder("sk_test").name("a").build(), SYSTEM);
        clock.advance(Duration.ofSeconds(5));
        ApiKey updated = manager.update(k.key().id(), b -> b.name("b").meta(dev.keys.api.JsonValue.strings(Map.of("plan", "pro"))), "key_admin");
        assertEquals("b", updated.name());
        assertEquals(2, updated.version());
        assertEquals(clock.instant(), updated.updatedAt());
        AuditEvent e = audit.get(1);
        assertEquals("update", e.action());
        assertEquals(Map.of("name", List.of("a", "b"), "meta", List.of("{}", "{plan=pro}")), e.changes());
    }

    @Test
    void immutableFieldsAndStatusCannotBePatched() {
        IssuedKey k = manager.create(NewKey.builder("sk_test").build(), SYSTEM);
        assertThrows(IllegalArgumentException.class, () -> manager.update(k.key().id(), b -> b.prefix("other"), SYSTEM));
        assertThrows(IllegalArgumentException.class, () -> manager.update(k.key().id(), b -> b.status(KeyStatus.REVOKED), SYSTEM));
        assertThrows(StoreException.NotFound.class, () -> manager.update("key_missing", b -> b, SYSTEM));
        manager.revoke(k.key().id(), SYSTEM, Optional.of("done"));
        assertThrows(IllegalArgumentException.class, () -> manager.update(k.key().id(), b -> b.name("x"), SYSTEM));
        assertThrows(IllegalStateException.class, () -> manager.enable(k.key().id(), SYSTEM));
        assertThrows(IllegalStateException.class, () -> manager.rotate(k.key().id(), Duration.ZERO, SYSTEM));
    }

    @Test
    void concurrentPatchesOfDifferentFieldsBothHold() throws Exception {
        IssuedKey k = manager.create(NewKey.builder("sk_test").build(), SYSTEM);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String field = "f" + i;
            fs.add(pool.submit(() -> {
                go.await();
                for (int j = 0; j < 20; j++) {
                    int n = j;
                    manager.update(k.key().id(), b -> {
                        Map<String, dev.keys.api.JsonValue> m = new java.util.HashMap<>(b.build().meta());
                        m.put(field, dev.keys.api.JsonValue.of(Integer.toString(n)));
                        return b.meta(m);
                    }, SYSTEM);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : fs) f.get();
        pool.shutdown();
        ApiKey end = manager.get(k.key().id()).orElseThrow();
        assertEquals(dev.keys.api.JsonValue.strings(Map.of("f0", "19", "f1", "19", "f2", "19", "f3", "19")), end.meta());
        assertEquals(81, end.version());
    }

    @Test
    void rotationCopiesEverythingAndIsAudited() {
        IssuedKey old = manager.create(NewKey.builder("sk_live").ownerId("o").tenant("t").roles(Set.of("r"))
                .permissions("a:b").meta(dev.keys.api.JsonValue.strings(Map.of("k", "v"))).ratelimits(new RateLimit("burst", 1, Duration.ofSeconds(1))).build(), SYSTEM);
        IssuedKey fresh = manager.rotate(old.key().id(), Duration.ofHours(1), "key_admin");
        ApiKey n = fresh.key();
        assertEquals(List.of(old.key().ownerId(), old.key().tenant(), old.key().roles(), old.key().permissions(), old.key().meta(), old.key().ratelimits()),
                List.of(n.ownerId(), n.tenant(), n.roles(), n.permissions(), n.meta(), n.ratelimits()));
        assertEquals(Optional.of(clock.instant().plus(Duration.ofHours(1))), manager.get(old.key().id()).orElseThrow().expiresAt());
        assertEquals(List.of("create", "create", "rotate"), audit.stream().map(AuditEvent::action).toList());
        assertEquals(Optional.of("replaced by " + n.id()), audit.get(2).reason());
    }

    @Test
    void rotationNeverExtendsAnEarlierExpiry() {
        Instant soon = clock.instant().plusSeconds(30);
        IssuedKey old = manager.create(NewKey.builder("sk_live").expiresAt(soon).build(), SYSTEM);
        manager.rotate(old.key().id(), Duration.ofDays(1), SYSTEM);
        assertEquals(Optional.of(soon), manager.get(old.key().id()).orElseThrow().expiresAt());
    }

    @Test
    void aFailingAuditSinkDoesNotFailACommittedChange() {
        try (Keys k = Keys.builder().clock(clock).audit(e -> { throw new StoreException.Unavailable("audit down", null); })
                .verifier(v -> v.syncInterval(Duration.ZERO)).build()) {
            IssuedKey issued = k.manager().create(NewKey.builder("sk_live").build(), SYSTEM);
            k.manager().revoke(issued.key().id(), SYSTEM, Optional.empty());
            assertEquals(KeyStatus.REVOKED, k.manager().get(issued.key().id()).orElseThrow().status());
        }
    }

    @Test
    void revokingTwiceIsHarmlessAndAuditedWithTheReason() {
        IssuedKey k = manager.create(NewKey.builder("sk_live").build(), SYSTEM);
        manager.revoke(k.key().id(), "key_admin", Optional.of("leaked in a repo"));
        manager.revoke(k.key().id(), "key_admin", Optional.of("again"));
        assertEquals(KeyStatus.REVOKED, manager.get(k.key().id()).orElseThrow().status());
        assertEquals(Optional.of("leaked in a repo"), audit.get(1).reason());
        assertEquals(List.of("ACTIVE", "REVOKED"), audit.get(1).changes().get("status"));
    }

    /** Counts the reads a manager and a verifier make. */
    static final class CountingStore implements KeyStore {
        final KeyStore delegate = new InMemoryKeyStore();
        final AtomicInteger byId = new AtomicInteger(), byDigest = new AtomicInteger();

        @Override public Optional<ApiKey> findByDigest(Digest d) { byDigest.incrementAndGet(); return delegate.findByDigest(d); }
        @Override public Optional<ApiKey> findById(String id) { byId.incrementAndGet(); return delegate.findById(id); }
        @Override public ApiKey create(ApiKey k) { return delegate.create(k); }
        @Override public ApiKey update(ApiKey k) { return delegate.update(k); }
        @Override public Page<ApiKey> list(KeyQuery q) { return delegate.list(q); }
        @Override public List<KeyChange> changesSince(long s, int l) { return delegate.changesSince(s, l); }
        @Override public long lastSequence() { return delegate.lastSequence(); }
    }

    @Test
    void aChangeReadsTheKeyOnceAndTheVerifierTakesTheWrittenStateWithoutAnotherRead() {
        CountingStore store = new CountingStore();
        try (Keys k = Keys.builder().store(store).clock(clock).verifier(v -> v.syncInterval(Duration.ZERO)).build()) {
            IssuedKey issued = k.manager().create(NewKey.builder("sk_test").permissions("a:b").build(), SYSTEM);
            Requirement cd = Requirement.of(PermissionQuery.parse("c:d"));
            assertEquals(dev.keys.api.Outcome.INSUFFICIENT_PERMISSIONS, k.verifier().verify(issued.plaintext(), RequestContext.NONE, cd).outcome());
            store.byId.set(0);
            store.byDigest.set(0);
            k.manager().update(issued.key().id(), b -> b.permissions(Set.of("c:d")), SYSTEM);
            assertEquals(1, store.byId.get(), "one read of the row before the write");
            assertInstanceOf(Verification.Valid.class, k.verifier().verify(issued.plaintext(), RequestContext.NONE, cd));
            k.manager().revoke(issued.key().id(), SYSTEM, Optional.empty());
            assertEquals(2, store.byId.get());
            assertEquals(dev.keys.api.Outcome.REVOKED, k.verifier().verify(issued.plaintext()).outcome());
            assertEquals(0, store.byDigest.get(), "the verifier was handed the new state");
        }
    }

    @Test
    void aLateRefreshWithAnOlderStateKeepsTheNewerEntry() {
        IssuedKey k = manager.create(NewKey.builder("sk_test").name("a").build(), SYSTEM);
        assertInstanceOf(Verification.Valid.class, keys.verifier().verify(k.plaintext()));
        ApiKey older = manager.update(k.key().id(), b -> b.name("b"), SYSTEM);
        manager.update(k.key().id(), b -> b.name("c"), SYSTEM);
        keys.verifier().refresh(older);
        assertEquals("c", ((Verification.Valid) keys.verifier().verify(k.plaintext())).key().name());
    }

    @Test
    void anUpdateThatRefusesWritesAndAuditsNothing() {
        IssuedKey k = manager.create(NewKey.builder("sk_test").name("a").build(), SYSTEM);
        int events = audit.size();
        assertThrows(IllegalStateException.class, () -> manager.update(k.key().id(), b -> { throw new IllegalStateException("no"); }, SYSTEM));
        assertEquals(1, manager.get(k.key().id()).orElseThrow().version());
        assertEquals(events, audit.size());
    }
}
