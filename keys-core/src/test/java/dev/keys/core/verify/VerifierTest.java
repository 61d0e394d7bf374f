package dev.keys.core.verify;

import dev.keys.api.Environment;
import dev.keys.api.Outcome;
import dev.keys.api.RequestContext;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
import dev.keys.core.authz.Roles;
import java.net.InetAddress;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.test.ManualClock;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.FaultyKeyStore;
import dev.keys.core.store.InMemoryKeyStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static org.junit.jupiter.api.Assertions.*;

class VerifierTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    final FaultyKeyStore store = new FaultyKeyStore(new InMemoryKeyStore());
    Keys keys = keys(Duration.ZERO);

    Keys keys(Duration staleBound) {
        return Keys.builder().store(store).clock(clock)
                .verifier(v -> v.syncInterval(Duration.ZERO).staleBound(staleBound).negativeCache(1000, Duration.ofMinutes(1))).build();
    }

    @AfterEach
    void close() {
        keys.close();
    }

    IssuedKey issue() {
        return keys.manager().create(NewKey.builder("sk_test").ownerId("acme").permissions("documents:read").build(), SYSTEM);
    }

    Outcome verify(String credential) {
        return keys.verifier().verify(credential).outcome();
    }

    @Test
    void aFreshKeyIsValidAndCarriesItsView() {
        IssuedKey k = issue();
        Verification v = keys.verifier().verify(k.plaintext());
        assertInstanceOf(Verification.Valid.class, v);
        assertEquals("acme", ((Verification.Valid) v).key().ownerId());
        assertEquals(k.key().id(), ((Verification.Valid) v).key().id());
    }

    @Test
    void missingAndMalformedNeverReachTheStore() {
        issue();
        int before = store.digestLookups.get();
        assertEquals(Outcome.MISSING, verify(""));
        assertEquals(Outcome.MISSING, verify(null));
        assertEquals(Outcome.MALFORMED, verify("nope"));
        assertEquals(Outcome.MALFORMED, verify("sk_test_" + "A".repeat(38)));
        String good = issue().plaintext();
        assertEquals(Outcome.MALFORMED, verify(good.substring(0, good.length() - 1) + (good.endsWith("A") ? "B" : "A")));
        assertEquals(before, store.digestLookups.get());
    }

    @Test
    void unknownKeysAreNotFoundAndRememberedInTheNegativeCache() {
        KeyFormat f = new KeyFormat();
        String unknown = f.generate("sk_test");
        assertEquals(Outcome.NOT_FOUND, verify(unknown));
        int after = store.digestLookups.get();
        for (int i = 0; i < 100; i++) assertEquals(Outcome.NOT_FOUND, verify(unknown));
        assertEquals(after, store.digestLookups.get());
    }

    @Test
    void aFloodOfRandomKeysCostsTheStoreAtMostOneLookupEach() {
        KeyFormat f = new KeyFormat();
        for (int i = 0; i < 500; i++) {
            String k = f.generate("sk_live");
            verify(k);
            verify(k);
        }
        assertEquals(500, store.digestLookups.get());
    }

    @Test
    void revocationHoldsFromTheNextRequest() {
        IssuedKey k = issue();
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        keys.manager().revoke(k.key().id(), SYSTEM, Optional.of("leaked"));
        assertEquals(Outcome.REVOKED, verify(k.plaintext()));
    }

    @Test
    void disabledThenEnabled() {
        IssuedKey k = issue();
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        keys.manager().disable(k.key().id(), SYSTEM, Optional.empty());
        assertEquals(Outcome.DISABLED, verify(k.plaintext()));
        keys.manager().enable(k.key().id(), SYSTEM);
        assertEquals(Outcome.VALID, verify(k.plaintext()));
    }

    @Test
    void expiryFollowsTheClock() {
        IssuedKey k = keys.manager().create(NewKey.builder("sk_test").expiresAt(clock.instant().plusSeconds(60)).build(), SYSTEM);
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        clock.advance(Duration.ofSeconds(59));
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Outcome.EXPIRED, verify(k.plaintext()));
    }

    @Test
    void approvalGatesTheKey() {
        IssuedKey k = keys.manager().create(NewKey.builder("sk_test").requiresApproval(true).build(), SYSTEM);
        assertEquals(Outcome.NOT_APPROVED, verify(k.plaintext()));
        keys.manager().reject(k.key().id(), "admin", Optional.of("unknown customer"));
        assertEquals(Outcome.NOT_APPROVED, verify(k.plaintext()));
        keys.manager().approve(k.key().id(), "admin");
        assertEquals(Outcome.VALID, verify(k.plaintext()));
    }

    @Test
    void aLiveOnlyVerifierRefusesTestKeys() {
        try (Keys live = Keys.builder().store(store).clock(clock).verifier(v -> v.syncInterval(Duration.ZERO).environment(Environment.LIVE)).build()) {
            IssuedKey test = live.manager().create(NewKey.builder("sk_test").environment(Environment.TEST).build(), SYSTEM);
            IssuedKey prod = live.manager().create(NewKey.builder("sk_live").environment(Environment.LIVE).build(), SYSTEM);
            Verification v = live.verifier().verify(test.plaintext());
            assertEquals(Outcome.FORBIDDEN, v.outcome());
            assertTrue(((Verification.Denied) v).detail().contains("test key"));
            assertEquals(Outcome.VALID, live.verifier().verify(prod.plaintext()).outcome());
        }
    }

    @Test
    void permissionQueriesAndRolesDecideStepFive() throws Exception {
        keys.close();
        keys = Keys.builder().store(store).clock(clock).verifier(v -> v.syncInterval(Duration.ZERO)
                .roles(Roles.builder().role("billing", java.util.Set.of("billing:read", "billing:write")).build())).build();
        IssuedKey k = keys.manager().create(NewKey.builder("sk_test").roles(java.util.Set.of("billing")).permissions("documents:read").build(), SYSTEM);
        Requirement both = Requirement.of(PermissionQuery.parse("documents:read AND billing:write"));
        Requirement admin = Requirement.of(PermissionQuery.parse("documents:read AND (admin:* OR keys:admin)"));
        assertEquals(Outcome.VALID, keys.verifier().verify(k.plaintext(), RequestContext.NONE, both).outcome());
        Verification denied = keys.verifier().verify(k.plaintext(), RequestContext.NONE, admin);
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, denied.outcome());
        assertTrue(((Verification.Denied) denied).detail().contains("admin:*"), ((Verification.Denied) denied).detail());
        assertEquals(k.key().id(), ((Verification.Denied) denied).key().orElseThrow().id());
    }

    @Test
    void anIpAllowlistIsAKeyCondition() throws Exception {
        IssuedKey k = keys.manager().create(NewKey.builder("sk_test").ipAllowlist(java.util.List.of("10.0.0.0/8", "2001:db8::/32")).build(), SYSTEM);
        RequestContext inside = RequestContext.of("GET", "/x").withClientAddress(InetAddress.getByName("10.1.2.3"));
        RequestContext outside = RequestContext.of("GET", "/x").withClientAddress(InetAddress.getByName("192.0.2.1"));
        assertEquals(Outcome.VALID, keys.verifier().verify(k.plaintext(), inside).outcome());
        Verification v = keys.verifier().verify(k.plaintext(), outside);
        assertEquals(Outcome.FORBIDDEN, v.outcome());
        assertFalse(((Verification.Denied) v).detail().contains(k.plaintext()));
        assertEquals(Outcome.FORBIDDEN, keys.verifier().verify(k.plaintext(), RequestContext.NONE).outcome(), "no address, no entry");
    }

    @Test
    void aDeniedPermissionNeverHidesAWorseState() {
        IssuedKey k = issue();
        keys.manager().revoke(k.key().id(), SYSTEM, Optional.empty());
        assertEquals(Outcome.REVOKED, keys.verifier().verify(k.plaintext(), RequestContext.NONE,
                Requirement.of(PermissionQuery.parse("nothing:granted"))).outcome());
    }

    @Test
    void rotationKeepsTheOldKeyForTheGracePeriodOnly() {
        IssuedKey old = issue();
        IssuedKey fresh = keys.manager().rotate(old.key().id(), Duration.ofMinutes(10), SYSTEM);
        assertNotEquals(old.plaintext(), fresh.plaintext());
        assertEquals(old.key().permissions(), fresh.key().permissions());
        assertEquals(Outcome.VALID, verify(old.plaintext()));
        assertEquals(Outcome.VALID, verify(fresh.plaintext()));
        clock.advance(Duration.ofMinutes(10));
        assertEquals(Outcome.EXPIRED, verify(old.plaintext()));
        assertEquals(Outcome.VALID, verify(fresh.plaintext()));
        assertEquals(Optional.of(fresh.key().id()), keys.manager().get(old.key().id()).orElseThrow().rotatedTo());
    }

    @Test
    void rotationWithoutGraceExpiresTheOldKeyAtOnce() {
        IssuedKey old = issue();
        keys.manager().rotate(old.key().id(), Duration.ZERO, SYSTEM);
        assertEquals(Outcome.EXPIRED, verify(old.plaintext()));
    }

    @Test
    void failClosedWhenTheStoreIsDown() {
        IssuedKey cached = issue();
        assertEquals(Outcome.VALID, verify(cached.plaintext()));
        IssuedKey uncached = issue();
        store.down.set(true);
        assertThrows(RuntimeException.class, () -> keys.verifier().sync());
        assertEquals(Outcome.STORE_UNAVAILABLE, verify(uncached.plaintext()));
        assertEquals(Outcome.STORE_UNAVAILABLE, verify(cached.plaintext()));
        store.down.set(false);
        keys.verifier().sync();
        assertEquals(Outcome.VALID, verify(cached.plaintext()));
        assertEquals(Outcome.VALID, verify(uncached.plaintext()));
    }

    @Test
    void aStaleBoundServesCachedKeysForThatLongOnly() {
        keys.close();
        keys = keys(Duration.ofSeconds(30));
        IssuedKey cached = issue();
        assertEquals(Outcome.VALID, verify(cached.plaintext()));
        IssuedKey uncached = issue();
        store.down.set(true);
        assertThrows(RuntimeException.class, () -> keys.verifier().sync());
        assertEquals(Outcome.VALID, verify(cached.plaintext()));
        assertEquals(Outcome.STORE_UNAVAILABLE, verify(uncached.plaintext()));
        clock.advance(Duration.ofSeconds(31));
        assertEquals(Outcome.STORE_UNAVAILABLE, verify(cached.plaintext()));
        store.down.set(false);
        keys.verifier().sync();
        assertEquals(Outcome.VALID, verify(cached.plaintext()));
    }

    @Test
    void aRevokedKeyIsNeverResurrectedFromTheCache() {
        IssuedKey k = issue();
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        keys.manager().revoke(k.key().id(), SYSTEM, Optional.empty());
        keys.close();
        keys = keys(Duration.ofHours(1));
        assertEquals(Outcome.REVOKED, verify(k.plaintext()));
        store.down.set(true);
        assertEquals(Outcome.REVOKED, verify(k.plaintext()));
    }

    @Test
    void changesMadeByAnotherInstanceArriveThroughTheChangeFeed() {
        IssuedKey k = issue();
        try (Keys other = Keys.builder().store(store).clock(clock).verifier(v -> v.syncInterval(Duration.ZERO)).build()) {
            assertEquals(Outcome.VALID, other.verifier().verify(k.plaintext()).outcome());
            keys.manager().revoke(k.key().id(), SYSTEM, Optional.empty());
            assertEquals(Outcome.VALID, other.verifier().verify(k.plaintext()).outcome(), "not yet synced");
            other.verifier().sync();
            assertEquals(Outcome.REVOKED, other.verifier().verify(k.plaintext()).outcome());
        }
    }

    @Test
    void aKeyCreatedAfterItsDigestWasLookedUpIsFound() throws Exception {
        KeyFormat f = new KeyFormat();
        String plaintext = f.generate("sk_test");
        assertEquals(Outcome.NOT_FOUND, verify(plaintext));
        keys.close();
        keys = Keys.builder().store(store).clock(clock).verifier(v -> v.syncInterval(Duration.ZERO).acceptImportedKeys(true)).build();
        assertEquals(Outcome.NOT_FOUND, verify(plaintext));
        keys.manager().importKey(plaintext, NewKey.builder("sk_test").build(), SYSTEM);
        assertEquals(Outcome.VALID, verify(plaintext));
    }

    @Test
    void importedKeysOfAnotherFormatVerifyWhenTurnedOn() {
        String legacy = "legacy-" + new KeyFormat().randomBase62(30);
        keys.close();
        keys = Keys.builder().store(store).clock(clock).verifier(v -> v.syncInterval(Duration.ZERO).acceptImportedKeys(true)).build();
        keys.manager().importKey(legacy, NewKey.builder("legacy").build(), SYSTEM);
        assertEquals(Outcome.VALID, verify(legacy));
        var weak = assertThrows(IllegalArgumentException.class,
                () -> keys.manager().importKey("aaaaaaaaaaaaaaaaaaaaaaaa", NewKey.builder("legacy").build(), SYSTEM));
        assertFalse(weak.getMessage().contains("aaaa"));
        assertThrows(IllegalArgumentException.class, () -> keys.manager().importKey("short", NewKey.builder("legacy").build(), SYSTEM));
    }

    @Test
    void importedKeysAreMalformedWhenImportIsOff() {
        assertEquals(Outcome.MALFORMED, verify("legacy-" + new KeyFormat().randomBase62(30)));
    }

    @Test
    void theBackgroundPollerAppliesChangesWithoutHelp() throws Exception {
        try (Keys a = Keys.builder().store(store).verifier(v -> v.syncInterval(Duration.ofMillis(20))).build();
             Keys b = Keys.builder().store(store).verifier(v -> v.syncInterval(Duration.ofMillis(20))).build()) {
            IssuedKey k = a.manager().create(NewKey.builder("sk_test").build(), SYSTEM);
            assertEquals(Outcome.VALID, b.verifier().verify(k.plaintext()).outcome());
            a.manager().revoke(k.key().id(), SYSTEM, Optional.empty());
            // wait on the outcome, not on time: bounded by a generous deadline
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (b.verifier().verify(k.plaintext()).outcome() != Outcome.REVOKED) {
                assertTrue(System.nanoTime() < deadline, "revocation never arrived");
                Thread.onSpinWait();
            }
        }
    }
}
