package dev.keys.core.verify;

import dev.keys.api.Outcome;
import dev.keys.core.Keys;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.FaultyKeyStore;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.test.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A verifier hashing with a pepper finds a key it has verified before by the key's plain SHA-256 (an alias of its
 * stored digest), sparing the HMAC; every answer still follows the store's changes as without the alias.
 */
class PepperedVerifierTest {
    static final KeyHasher PEPPER = KeyHasher.hmac("a pepper of 32 bytes, not secret".getBytes(StandardCharsets.US_ASCII));
    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    final FaultyKeyStore store = new FaultyKeyStore(new InMemoryKeyStore());
    Keys keys = keys(1000);

    Keys keys(long cacheSize) {
        return Keys.builder().store(store).clock(clock).hasher(PEPPER)
                .verifier(v -> v.syncInterval(Duration.ZERO).cacheSize(cacheSize).negativeCache(1000, Duration.ofMinutes(1))).build();
    }

    @AfterEach
    void close() {
        keys.close();
    }

    IssuedKey issue() {
        return keys.manager().create(NewKey.builder("sk_live").ownerId("acme").build(), SYSTEM);
    }

    Outcome verify(String credential) {
        return keys.verifier().verify(credential).outcome();
    }

    long aliases(Keys k) {
        Verifier v = k.verifier();
        v.entries().aliases.cleanUp();
        return v.entries().aliases.estimatedSize();
    }

    @Test
    void aKeyIsLearntAtItsFirstVerificationAndServedFromTheCacheAfter() {
        IssuedKey k = issue();
        assertEquals(0, aliases(keys));
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        assertEquals(1, aliases(keys));
        int lookups = store.digestLookups.get();
        for (int i = 0; i < 10; i++) assertEquals(Outcome.VALID, verify(k.plaintext()));
        assertEquals(lookups, store.digestLookups.get(), "found by its alias, then in the cache: no store read");
        assertEquals(1, aliases(keys));
    }

    @Test
    void unknownAndMalformedCredentialsAreNeverLearnt() {
        String unknown = new dev.keys.core.format.KeyFormat().generate("sk_live");
        for (int i = 0; i < 3; i++) assertEquals(Outcome.NOT_FOUND, verify(unknown));
        assertEquals(1, store.digestLookups.get(), "remembered as unknown after one store read");
        assertEquals(Outcome.MALFORMED, verify("sk_live_not-a-key"));
        assertEquals(0, aliases(keys));
    }

    @Test
    void revocationThroughTheManagerHoldsFromTheNextRequestThoughTheAliasStays() {
        IssuedKey k = issue();
        assertEquals(Outcome.VALID, verify(k.plaintext()));
        keys.manager().revoke(k.key().id(), SYSTEM, Optional.empty());
        assertEquals(Outcome.REVOKED, verify(k.plaintext()));
        assertEquals(Outcome.REVOKED, verify(k.plaintext()));
    }

    @Test
    void aChangeMadeByAnotherInstanceHoldsAfterTheNextPoll() {
        IssuedKey k = issue();
        try (Keys other = keys(1000)) {
            assertEquals(Outcome.VALID, other.verifier().verify(k.plaintext()).outcome());
            assertEquals(Outcome.VALID, other.verifier().verify(k.plaintext()).outcome());
            keys.manager().disable(k.key().id(), SYSTEM, Optional.empty());
            assertEquals(Outcome.VALID, other.verifier().verify(k.plaintext()).outcome(), "not polled yet");
            other.verifier().sync();
            assertEquals(Outcome.DISABLED, other.verifier().verify(k.plaintext()).outcome());
            keys.manager().enable(k.key().id(), SYSTEM);
            other.verifier().sync();
            assertEquals(Outcome.VALID, other.verifier().verify(k.plaintext()).outcome());
        }
    }

    @Test
    void anEvictedEntryIsReadAgainByTheDigestItsAliasNames() {
        keys.close();
        keys = keys(1);
        IssuedKey a = issue(), b = issue();
        for (int i = 0; i < 20; i++) {
            assertEquals(Outcome.VALID, verify(a.plaintext()));
            assertEquals(Outcome.VALID, verify(b.plaintext()));
        }
        keys.manager().revoke(a.key().id(), SYSTEM, Optional.empty());
        assertEquals(Outcome.REVOKED, verify(a.plaintext()), "whether cached or read again, the store's state");
        assertEquals(Outcome.VALID, verify(b.plaintext()));
    }

    @Test
    void theStoreDownFailsClosedForAKeyWithAnAliasAsForAnyOther() {
        keys.close();
        keys = keys(1);
        IssuedKey a = issue(), b = issue();
        assertEquals(Outcome.VALID, verify(a.plaintext()));
        assertEquals(Outcome.VALID, verify(b.plaintext())); // a's entry evicted, its alias kept
        store.down.set(true);
        assertEquals(Outcome.STORE_UNAVAILABLE, verify(a.plaintext()));
        store.down.set(false);
        assertEquals(Outcome.VALID, verify(a.plaintext()));
    }

    @Test
    void withoutAPepperThereAreNoAliases() {
        try (Keys plain = Keys.builder().store(store).verifier(v -> v.syncInterval(Duration.ZERO)).build()) {
            IssuedKey k = plain.manager().create(NewKey.builder("sk_live").build(), SYSTEM);
            assertEquals(Outcome.VALID, plain.verifier().verify(k.plaintext()).outcome());
            assertNull(plain.verifier().entries().aliases);
        }
    }
}
