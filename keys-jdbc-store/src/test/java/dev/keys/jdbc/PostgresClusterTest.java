package dev.keys.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.keys.api.Outcome;
import dev.keys.api.RequestContext;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
import dev.keys.core.lifecycle.Actor;
import dev.keys.core.Keys;
import dev.keys.test.ManualClock;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Several service instances on one PostgreSQL: each a {@link Keys} on its own {@link JdbcKeyStore} and Hikari
 * pool. Measures how soon a change on one is seen by another, and cuts one away from the database through a TCP
 * proxy to check the verifier's failure behaviour end to end.
 */
class PostgresClusterTest extends TwoInstancesOnPostgres {
    /** The propagation bound of docs/contract.md §1 (default configuration). */
    static final Duration BOUND = Duration.ofSeconds(1);

    Keys instance(HikariDataSource pool, ManualClock clock, Duration staleBound) {
        JdbcStores stores = JdbcStores.builder(pool).queryTimeout(Duration.ofSeconds(1)).build();
        Keys.Builder b = Keys.builder().store(stores.keyStore()).audit(stores.auditLog()).verifier(v -> v.staleBound(staleBound));
        if (clock != null) b.clock(clock);
        Keys keys = b.build();
        closing.add(keys);
        closing.add(stores);
        return keys;
    }

    /** Polls until the outcome holds, at most {@code deadline}; answers the time it took. */
    static Duration until(Supplier<Outcome> verify, Outcome expected, Duration deadline) {
        long t0 = System.nanoTime(), end = t0 + deadline.toNanos();
        Outcome last;
        while ((last = verify.get()) != expected) {
            if (System.nanoTime() > end) fail("still " + last + " instead of " + expected + " after " + deadline.toMillis() + " ms");
            Thread.onSpinWait();
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    @Test
    void everyKindOfChangeOnOneInstanceHoldsOnAnotherWithinTheBound() {
        Keys a = instance(db.pool(2), null, Duration.ZERO), b = instance(db.pool(2), null, Duration.ZERO);

        // create: b has the unknown key in its negative cache; importing it on a must reach b.
        String plaintext = new KeyFormat().generate("sk_live");
        assertEquals(Outcome.NOT_FOUND, b.verifier().verify(plaintext).outcome());
        a.manager().importKey(plaintext, NewKey.builder("sk_live").ownerId("o").build(), SYSTEM);
        Duration create = until(() -> b.verifier().verify(plaintext).outcome(), Outcome.VALID, Duration.ofSeconds(5));

        // patch: disable on a
        IssuedKey k = a.manager().create(NewKey.builder("sk_live").ownerId("o").build(), SYSTEM);
        assertEquals(Outcome.VALID, b.verifier().verify(k.plaintext()).outcome());
        a.manager().disable(k.key().id(), SYSTEM, Optional.of("test"));
        Duration patch = until(() -> b.verifier().verify(k.plaintext()).outcome(), Outcome.DISABLED, Duration.ofSeconds(5));
        a.manager().enable(k.key().id(), SYSTEM);
        until(() -> b.verifier().verify(k.plaintext()).outcome(), Outcome.VALID, Duration.ofSeconds(5));

        // rotate without grace: the old key expires at once everywhere
        IssuedKey r = a.manager().rotate(k.key().id(), Duration.ZERO, SYSTEM);
        Duration rotate = until(() -> b.verifier().verify(k.plaintext()).outcome(), Outcome.EXPIRED, Duration.ofSeconds(5));
        assertEquals(Outcome.VALID, b.verifier().verify(r.plaintext()).outcome());

        // revoke
        a.manager().revoke(r.key().id(), SYSTEM, Optional.of("leaked"));
        Duration revoke = until(() -> b.verifier().verify(r.plaintext()).outcome(), Outcome.REVOKED, Duration.ofSeconds(5));

        System.out.printf("propagation to another instance (syncInterval 200 ms): create %d ms, patch %d ms, rotate %d ms, revoke %d ms%n",
                create.toMillis(), patch.toMillis(), rotate.toMillis(), revoke.toMillis());
        for (Duration d : List.of(create, patch, rotate, revoke)) assertTrue(d.compareTo(BOUND) <= 0, "within " + BOUND + ": " + d);
    }

    @Test
    void aRoleDefinedChangedAndDeletedOnOneInstanceHoldsOnAnotherWithinTheBound() {
        Keys a = instance(db.pool(2), null, Duration.ZERO), b = instance(db.pool(2), null, Duration.ZERO);
        Actor admin = Actor.admin("key_admin", "default");
        Requirement write = Requirement.of(PermissionQuery.parse("documents:write"));
        IssuedKey k = a.manager().create(NewKey.builder("sk_live").ownerId("o").roles(java.util.Set.of("editor")).build(), SYSTEM);
        Supplier<Outcome> onB = () -> b.verifier().verify(k.plaintext(), RequestContext.NONE, write).outcome();
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, onB.get(), "cached on b, the role not defined yet");

        a.roleManager().put("editor", java.util.Set.of("documents:write"), admin);
        Duration gain = until(onB, Outcome.VALID, Duration.ofSeconds(5));
        a.roleManager().put("editor", java.util.Set.of("documents:read"), admin);
        Duration narrow = until(onB, Outcome.INSUFFICIENT_PERMISSIONS, Duration.ofSeconds(5));
        a.roleManager().put("editor", java.util.Set.of("documents:write"), admin);
        until(onB, Outcome.VALID, Duration.ofSeconds(5));
        a.roleManager().delete("editor", admin);
        Duration delete = until(onB, Outcome.INSUFFICIENT_PERMISSIONS, Duration.ofSeconds(5));
        assertEquals(java.util.List.of(), b.roleManager().list(admin), "b lists no stored role either");

        System.out.printf("role propagation to another instance (syncInterval 200 ms): define %d ms, narrow %d ms, delete %d ms%n",
                gain.toMillis(), narrow.toMillis(), delete.toMillis());
        for (Duration d : List.of(gain, narrow, delete)) assertTrue(d.compareTo(BOUND) <= 0, "within " + BOUND + ": " + d);
    }

    @Test
    void cutAwayFromTheDatabaseAnInstanceServesStaleOnlyWithinTheBoundNeverResurrectsAndRecovers() throws Exception {
        TcpProxy proxy = new TcpProxy(db.hostPort()[0], Integer.parseInt(db.hostPort()[1]));
        closing.add(proxy);
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        Duration stale = Duration.ofSeconds(30);
        Keys a = instance(db.pool(2), null, Duration.ZERO);
        Keys b = instance(db.pool(db.urlVia("127.0.0.1", proxy.port(), "connectTimeout=2&socketTimeout=3&cancelSignalTimeout=1"), 2), clock, stale);

        IssuedKey cached = a.manager().create(NewKey.builder("sk_live").ownerId("o").build(), SYSTEM);
        IssuedKey uncached = a.manager().create(NewKey.builder("sk_live").ownerId("o").build(), SYSTEM);
        IssuedKey revokedBefore = a.manager().create(NewKey.builder("sk_live").ownerId("o").build(), SYSTEM);
        IssuedKey revokedDuring = a.manager().create(NewKey.builder("sk_live").ownerId("o").build(), SYSTEM);
        for (IssuedKey k : List.of(cached, revokedBefore, revokedDuring)) assertEquals(Outcome.VALID, b.verifier().verify(k.plaintext()).outcome());
        a.manager().revoke(revokedBefore.key().id(), SYSTEM, Optional.empty());
        until(() -> b.verifier().verify(revokedBefore.plaintext()).outcome(), Outcome.REVOKED, Duration.ofSeconds(5));
        // Let the poller finish applying the feed: an entry whose change cannot be applied is dropped, not served.
        b.verifier().sync();

        proxy.cut();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!b.verifier().storeDown()) {
            assertTrue(System.nanoTime() < deadline, "the poller notices the outage");
            Thread.onSpinWait();
        }
        a.manager().revoke(revokedDuring.key().id(), SYSTEM, Optional.empty());
        assertEquals(Outcome.VALID, b.verifier().verify(cached.plaintext()).outcome(), "cached, within the stale bound");
        assertEquals(Outcome.STORE_UNAVAILABLE, b.verifier().verify(uncached.plaintext()).outcome());
        assertEquals(Outcome.STORE_UNAVAILABLE, b.verifier().verify(new KeyFormat().generate("sk_live")).outcome());
        assertEquals(Outcome.REVOKED, b.verifier().verify(revokedBefore.plaintext()).outcome(), "never resurrected");

        clock.advance(stale);
        for (IssuedKey k : List.of(cached, uncached, revokedBefore, revokedDuring)) {
            assertEquals(Outcome.STORE_UNAVAILABLE, b.verifier().verify(k.plaintext()).outcome(), "past the stale bound: fail closed");
        }

        proxy.restore();
        Duration recovery = until(() -> b.verifier().verify(cached.plaintext()).outcome(), Outcome.VALID, Duration.ofSeconds(15));
        System.out.printf("recovery after the database came back: %d ms%n", recovery.toMillis());
        assertEquals(Outcome.REVOKED, b.verifier().verify(revokedDuring.plaintext()).outcome(), "the revocation made during the outage holds");
        assertEquals(Outcome.REVOKED, b.verifier().verify(revokedBefore.plaintext()).outcome());
        assertEquals(Outcome.VALID, b.verifier().verify(uncached.plaintext()).outcome());
    }

    @Test
    void aHungDatabaseAnswersUnavailableWithinTheTimeoutsAndRecovers() throws Exception {
        TcpProxy proxy = new TcpProxy(db.hostPort()[0], Integer.parseInt(db.hostPort()[1]));
        closing.add(proxy);
        Keys a = instance(db.pool(2), null, Duration.ZERO);
        Keys b = instance(db.pool(db.urlVia("127.0.0.1", proxy.port(), "connectTimeout=2&socketTimeout=3&cancelSignalTimeout=1"), 2), null, Duration.ofMinutes(1));
        IssuedKey cached = a.manager().create(NewKey.builder("sk_live").ownerId("o").build(), SYSTEM);
        IssuedKey uncached = a.manager().create(NewKey.builder("sk_live").ownerId("o").build(), SYSTEM);
        assertEquals(Outcome.VALID, b.verifier().verify(cached.plaintext()).outcome());

        proxy.stall(true);
        long t0 = System.nanoTime();
        assertEquals(Outcome.STORE_UNAVAILABLE, b.verifier().verify(uncached.plaintext()).outcome());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.printf("uncached lookup against a hung database answered STORE_UNAVAILABLE after %d ms%n", took.toMillis());
        assertTrue(took.compareTo(Duration.ofSeconds(8)) < 0, "bounded by the query, socket and pool timeouts: " + took);
        assertEquals(Outcome.VALID, b.verifier().verify(cached.plaintext()).outcome(), "cached entries keep serving within the stale bound");

        proxy.stall(false);
        until(() -> b.verifier().verify(uncached.plaintext()).outcome(), Outcome.VALID, Duration.ofSeconds(15));
    }

    @Test
    void randomKeyFloodsReachTheDatabaseAtMostOncePerKey() {
        ProbeDataSource probe = new ProbeDataSource(db.pool(2), "WHERE digest = ?");
        JdbcStores stores = JdbcStores.builder(probe).build();
        closing.add(stores);
        try (Keys keys = Keys.builder().store(stores.keyStore()).build()) {
            KeyFormat format = new KeyFormat();
            List<String> random = new ArrayList<>();
            for (int i = 0; i < 500; i++) random.add(format.generate("sk_live"));
            for (int round = 0; round < 2; round++) {
                for (String k : random) assertEquals(Outcome.NOT_FOUND, keys.verifier().verify(k).outcome());
            }
            System.out.printf("negative cache: %d random keys verified twice, %d digest lookups reached PostgreSQL%n", random.size(), probe.statements.get());
            assertTrue(probe.statements.get() <= random.size(), "at most one lookup per key: " + probe.statements.get());
        }
    }
}
