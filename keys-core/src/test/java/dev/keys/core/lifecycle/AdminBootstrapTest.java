package dev.keys.core.lifecycle;

import dev.keys.api.ApiKey;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.core.authz.Roles;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.test.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static org.junit.jupiter.api.Assertions.*;

class AdminBootstrapTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    final KeyHasher hasher = KeyHasher.hmac(new byte[32]);
    final Roles roles = Roles.builder().role("operator", Set.of("keys:*")).build();
    final Keys keys = Keys.builder().store(new InMemoryKeyStore()).clock(clock).hasher(hasher).roles(roles)
            .verifier(v -> v.syncInterval(Duration.ZERO)).build();

    AdminBootstrap bootstrap() {
        return AdminBootstrap.builder(keys.manager(), keys.store()).hasher(hasher).clock(clock)
                .source("keys.admin.bootstrap-key").build();
    }

    @AfterEach
    void close() {
        keys.close();
    }

    @Test
    void aGivenKeyIsImportedOnceAndVerifiesAsAdmin() {
        String given = new KeyFormat().generate("ops_live");
        AdminBootstrap.Result first = bootstrap().ensure(Optional.of(given));
        AdminBootstrap.Imported imported = assertInstanceOf(AdminBootstrap.Imported.class, first);
        ApiKey stored = keys.manager().get(imported.keyId()).orElseThrow();
        assertEquals(Set.of("keys:admin"), stored.permissions());
        assertEquals("ops_live", stored.prefix());
        assertEquals("admin from keys.admin.bootstrap-key", stored.name());
        Verification.Valid v = assertInstanceOf(Verification.Valid.class, keys.verifier().verify(given));
        assertEquals(imported.keyId(), v.key().id());

        // The next start (or another instance) finds it by digest and stores nothing more.
        assertEquals(new AdminBootstrap.Known(imported.keyId()), bootstrap().ensure(Optional.of(given)));
        assertEquals(1, keys.manager().list(new dev.keys.api.KeyQuery(Optional.empty(), Optional.empty(), 100, Optional.empty())).items().size());
    }

    @Test
    void aKeyKnownByDigestIsNotImportedAgainEvenWhenRevoked() {
        String given = new KeyFormat().generate("ops_live");
        String id = ((AdminBootstrap.Imported) bootstrap().ensure(Optional.of(given))).keyId();
        keys.manager().revoke(id, SYSTEM, Optional.of("rotated out"));
        assertEquals(new AdminBootstrap.Known(id), bootstrap().ensure(Optional.of(given)));
    }

    @Test
    void aMalformedGivenKeyFailsNamingTheSourceNotTheKey() {
        String typo = new KeyFormat().generate("ops_live").replace('_', '-');
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bootstrap().ensure(Optional.of(typo)));
        assertTrue(e.getMessage().startsWith("keys.admin.bootstrap-key is not a well-formed key"), e.getMessage());
        assertFalse(e.getMessage().contains(typo));
    }

    @Test
    void withoutAGivenKeyOneIsCreatedOnceAndShownOnlyInTheResult() {
        AdminBootstrap.Created created = assertInstanceOf(AdminBootstrap.Created.class, bootstrap().ensure(Optional.empty()));
        assertTrue(KeyFormat.isWellFormed(created.plaintext()));
        assertTrue(created.plaintext().startsWith(AdminBootstrap.DEFAULT_PREFIX + "_"));
        assertFalse(created.toString().contains(created.plaintext()));
        assertEquals(created.keyId(), ((Verification.Valid) keys.verifier().verify(created.plaintext())).key().id());

        assertEquals(new AdminBootstrap.Existing(created.keyId()), bootstrap().ensure(Optional.empty()));
    }

    @Test
    void anAdminThroughARoleCountsButAnExpiredOrRevokedOneDoesNot() {
        IssuedKey viaRole = keys.manager().create(NewKey.builder("ops_live").roles(Set.of("operator")).build(), SYSTEM);
        assertEquals(new AdminBootstrap.Existing(viaRole.key().id()), bootstrap().ensure(Optional.empty()));

        keys.manager().revoke(viaRole.key().id(), SYSTEM, Optional.empty());
        keys.manager().create(NewKey.builder("ops_live").permissions("keys:admin")
                .expiresAt(clock.instant().plusSeconds(60)).build(), SYSTEM);
        keys.manager().create(NewKey.builder("ops_live").permissions("documents:read").build(), SYSTEM);
        clock.advance(Duration.ofMinutes(2));
        AdminBootstrap.Result r = bootstrap().ensure(Optional.empty());
        assertInstanceOf(AdminBootstrap.Created.class, r);
        List<ApiKey> all = keys.manager().list(new dev.keys.api.KeyQuery(Optional.empty(), Optional.empty(), 100, Optional.empty())).items();
        assertEquals(4, all.size());
    }
}
