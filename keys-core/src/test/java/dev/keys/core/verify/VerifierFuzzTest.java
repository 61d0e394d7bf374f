package dev.keys.core.verify;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keys.api.Outcome;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.test.ManualClock;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.FaultyKeyStore;
import dev.keys.core.store.InMemoryKeyStore;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.zip.CRC32;

import static dev.keys.core.lifecycle.KeyManager.SYSTEM;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Fuzzes {@link Verifier#verify} with arbitrary credentials: it never throws; only the issued key's exact text is
 * valid; anything that is not a well-formed key answers {@code MALFORMED} (or {@code MISSING} when empty) without a
 * store lookup; a well-formed unknown key costs at most one lookup, after which the negative cache answers.
 */
class VerifierFuzzTest {
    static final ManualClock CLOCK = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    static final FaultyKeyStore STORE = new FaultyKeyStore(new InMemoryKeyStore());
    static final int NEGATIVE_CACHE = 10_000;
    static final Keys KEYS = Keys.builder().store(STORE).clock(CLOCK)
            .verifier(v -> v.syncInterval(Duration.ZERO).negativeCache(NEGATIVE_CACHE, Duration.ofHours(1))).build();
    /** Distinct unknown keys tried so far: once past the bound, Caffeine may refuse a new entry at once (TinyLFU). */
    static final java.util.Set<String> UNKNOWN = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final IssuedKey ISSUED = KEYS.manager().create(NewKey.builder("sk_test").ownerId("fuzz").build(), SYSTEM);

    @FuzzTest(maxDuration = "30s")
    void verify(byte[] input) {
        String credential = new String(input, StandardCharsets.UTF_8);
        Verifier v = KEYS.verifier();
        int before = STORE.digestLookups.get();
        Verification r = v.verify(credential);
        int lookups = STORE.digestLookups.get() - before;
        assertNotNull(r);
        if (credential.equals(ISSUED.plaintext())) {
            assertInstanceOf(Verification.Valid.class, r);
            return;
        }
        assertInstanceOf(Verification.Denied.class, r);
        assertFalse(((Verification.Denied) r).detail().contains(credential) && credential.length() >= 8, "a denial echoes the credential");
        if (credential.isEmpty()) {
            assertEquals(Outcome.MISSING, r.outcome());
        } else if (!KeyFormat.isWellFormed(credential)) {
            assertEquals(Outcome.MALFORMED, r.outcome(), credential);
            assertEquals(0, lookups, "a malformed credential reached the store");
        } else {
            assertEquals(Outcome.NOT_FOUND, r.outcome());
            assertTrue(lookups <= 1);
            int again = STORE.digestLookups.get();
            assertEquals(Outcome.NOT_FOUND, v.verify(credential).outcome());
            // A flood of distinct unknown keys larger than the negative cache reaches the store once per key: the
            // bound is on memory, not on lookups (SECURITY.md, "Rate limits and floods").
            if (UNKNOWN.add(credential) && UNKNOWN.size() < NEGATIVE_CACHE / 2) {
                assertEquals(again, STORE.digestLookups.get(), "the negative cache did not answer");
            }
        }
    }

    /** Well-formed keys of any prefix and secret (the checksum computed here): unknown, so NOT_FOUND, once to the store. */
    @FuzzTest(maxDuration = "30s")
    void wellFormed(FuzzedDataProvider data) {
        String base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        StringBuilder sb = new StringBuilder().append((char) ('a' + data.consumeInt(0, 25)));
        int prefixLen = data.consumeInt(1, KeyFormat.MAX_PREFIX_LENGTH);
        for (int i = 1; i < prefixLen; i++) sb.append("abcdefghijklmnopqrstuvwxyz0123456789_".charAt(data.consumeInt(0, 36)));
        sb.append('_');
        for (int i = 0; i < KeyFormat.SECRET_LENGTH; i++) sb.append(base62.charAt(data.consumeInt(0, 61)));
        CRC32 crc = new CRC32();
        crc.update(sb.toString().getBytes(StandardCharsets.US_ASCII));
        long c = crc.getValue();
        char[] sum = new char[6];
        for (int i = 5; i >= 0; i--, c /= 62) sum[i] = base62.charAt((int) (c % 62));
        String key = sb.append(sum).toString();
        assertTrue(KeyFormat.isWellFormed(key), key);
        verify(key.getBytes(StandardCharsets.US_ASCII));
    }
}
