package dev.keys.core.lifecycle;

import dev.keys.api.Digest;
import dev.keys.api.Outcome;
import dev.keys.api.StoreException;
import dev.keys.core.Keys;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.core.verify.Verifier;
import dev.keys.test.ManualClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** Batch imports (docs/contract.md §5): idempotent by external id, and hashed imports verify behind a pepper. */
class KeyImportTest {
    static final Actor OPS = Actor.system("ops");
    static final String LEGACY = "legacy-7Hq2Zr9XkP4mW8vN3bT6yL1cF5dJ0sGa";
    static final byte[] PEPPER = "a pepper of 32 bytes, not secret".getBytes(StandardCharsets.US_ASCII);

    static Digest sha256(String s) throws Exception {
        return Digest.of(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void anItemImportedTwiceIsSkippedAndTheSameDigestUnderAnotherIdIsRefused() {
        try (Keys keys = Keys.builder().verifier(v -> v.acceptImportedKeys(true).syncInterval(Duration.ZERO)).build()) {
            KeyManager m = keys.manager();
            NewKey req = NewKey.builder("legacy").tenant("acme").build();
            Optional<?> first = m.importKey(LEGACY, req, "ext-1", OPS);
            assertTrue(first.isPresent());
            assertTrue(m.importKey(LEGACY, req, "ext-1", OPS).isEmpty(), "the same item again: skipped");
            assertThrows(StoreException.Duplicate.class, () -> m.importKey(LEGACY, req, "ext-2", OPS));
            assertEquals(Outcome.VALID, keys.verifier().verify(LEGACY).outcome());
            assertTrue(m.importKey(LEGACY.replace('7', '8'), NewKey.builder("legacy").tenant("globex").build(), "ext-1", OPS).isPresent(),
                    "the same external id in another tenant is another item");
            assertThrows(IllegalArgumentException.class, () -> m.importKey("short", req, "ext-3", OPS));
        }
    }

    @Test
    void aKeyImportedAsSha256VerifiesWhereTheServiceHashesWithAPepper() throws Exception {
        InMemoryKeyStore store = new InMemoryKeyStore();
        ManualClock clock = new ManualClock(Instant.parse("2026-03-01T00:00:00Z"));
        try (Keys keys = Keys.builder().store(store).clock(clock).hasher(KeyHasher.hmac(PEPPER))
                .verifier(v -> v.acceptImportedKeys(true).syncInterval(Duration.ZERO)).build()) {
            assertEquals(Outcome.NOT_FOUND, keys.verifier().verify(LEGACY).outcome());
            assertTrue(keys.manager().importSha256(sha256(LEGACY), NewKey.builder("legacy").build(), "ext-1", OPS).isPresent());
            assertEquals(Outcome.VALID, keys.verifier().verify(LEGACY).outcome(), "this process: on at the first hashed import");
            assertEquals(Outcome.VALID, keys.verifier().verify(LEGACY).outcome(), "and again, from the cache");
            assertEquals(Outcome.NOT_FOUND, keys.verifier().verify(LEGACY.replace('7', '9')).outcome());
            // another instance: on by configuration, off without it
            try (Verifier other = Verifier.builder(store).hasher(KeyHasher.hmac(PEPPER)).acceptImportedKeys(true).acceptSha256Imports(true)
                    .syncInterval(Duration.ZERO).clock(clock).build();
                 Verifier plain = Verifier.builder(store).hasher(KeyHasher.hmac(PEPPER)).acceptImportedKeys(true)
                    .syncInterval(Duration.ZERO).clock(clock).build()) {
                assertEquals(Outcome.VALID, other.verify(LEGACY).outcome());
                assertEquals(Outcome.NOT_FOUND, plain.verify(LEGACY).outcome());
            }
            // revoking the hashed key holds from the next request, as for any key
            String id = Imports.id("default", "ext-1");
            keys.manager().revoke(id, OPS, Optional.empty());
            assertEquals(Outcome.REVOKED, keys.verifier().verify(LEGACY).outcome());
        }
    }
}
